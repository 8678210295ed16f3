#pragma once
// The run centre's view of face-recognition evaluations (`synthforge fr
// eval` runs, and `fr train` runs evaluated in place: any selected run with
// an fr_eval.json): the results table of core/fr/fr_results_table.h, rows
// the runs, columns the benchmarks, cells the 10-fold accuracy; and the
// ROC plot (roc.png) of the first run. A file that cannot be read is named
// in a red message; the others are still shown.

#include <QString>
#include <QStringList>
#include <QWidget>

class QLabel;
class QTableWidget;

namespace synthforge::widgets {

class VerificationView : public QWidget {
    Q_OBJECT
public:
    explicit VerificationView(QWidget* parent = nullptr);

    /// Shows the evaluations of these run folders (their fr_eval.json).
    void setRuns(const QStringList& runDirs);

    QTableWidget* table() const { return table_; }
    /// The error text ("" when every file was read).
    QString errorText() const;
    /// Whether a ROC plot is shown.
    bool showsRoc() const;

private:
    QLabel* error_;
    QTableWidget* table_;
    QLabel* roc_;
};

}  // namespace synthforge::widgets
