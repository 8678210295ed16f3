#pragma once
// The Align and Generator tabs' choice of generator: "procedural" (sampled in-process) or
// a TorchScript file with its truncation psi. The studio never loads a
// TorchScript module itself (widgets/ stays torch-free); the choice is handed
// to the `synthforge` CLI as --generator/--psi.

#include <QString>
#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QPushButton;

namespace synthforge::widgets {

class GeneratorPicker : public QWidget {
    Q_OBJECT
public:
    /// Vertical: one labelled row each (the Align tab's form); Horizontal:
    /// all on one line (the Generator tab's toolbar row).
    explicit GeneratorPicker(QWidget* parent = nullptr, Qt::Orientation layout = Qt::Vertical);

    /// "procedural", or the TorchScript file's path (an empty path stays "").
    QString generator() const;
    bool torchScript() const;
    QString torchScriptFile() const;
    double psi() const;

    void setProcedural();
    void setTorchScriptFile(const QString& path);
    void setPsi(double psi);

    QComboBox* kindBox() const { return kind_; }
    QLineEdit* fileEdit() const { return file_; }
    QDoubleSpinBox* psiBox() const { return psi_; }

signals:
    void changed();

private:
    void browse();
    void syncEnabled();

    QComboBox* kind_;
    QLineEdit* file_;
    QPushButton* browse_;
    QDoubleSpinBox* psi_;
};

}  // namespace synthforge::widgets
