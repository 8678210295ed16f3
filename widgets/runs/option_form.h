#pragma once
// A form for one CLI command, built from the schema the command prints with
// --help-json (app/cli/cli_schema.h has the format): one field per option,
// the editor chosen from the option's type, choices, range and path hint,
// its help as tooltip, its default as placeholder. Only options the user
// changed (and the required ones) become arguments, so that the CLI's own
// defaults, and a --config file's values, stay in charge.

#include <memory>
#include <vector>

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QFormLayout;
class QGroupBox;
class QVBoxLayout;

namespace synthforge::widgets {

/// One option as the schema describes it.
struct OptionSpec {
    QString name;         ///< long form, "--size"
    QStringList names;    ///< every spelling
    QString description;
    bool flag = false;    ///< takes no value
    QString type;         ///< int, float, string or bool
    QString defaultValue; ///< as CLI11 shows it; "" when none
    bool required = false;
    bool multiple = false;
    QStringList choices;
    bool hasMin = false, hasMax = false;
    double min = 0, max = 0;
    QString path;         ///< file, dir or none
    QString group;

    static OptionSpec fromJson(const QJsonObject& o);
};

class OptionForm : public QWidget {
    Q_OBJECT
public:
    explicit OptionForm(QWidget* parent = nullptr);

    /// Rebuilds the fields from a schema's "options"; values start at the defaults.
    void setSchema(const QJsonObject& schema);
    const QList<OptionSpec>& options() const { return specs_; }
    const OptionSpec* option(const QString& name) const;

    /// The options' arguments in schema order: the changed ones and the
    /// required ones ("--name value", "--flag"; "--name=value" for a value
    /// starting with '-', which a parser could take for an option).
    QStringList arguments() const;

    /// Current text of a value option ("" = its default), or "true"/"false"
    /// for a flag; several values of a multiple option are shell-quoted.
    QString value(const QString& name) const;
    /// Sets one field; false for an unknown option.
    bool setValue(const QString& name, const QString& value);
    /// Whether the field differs from the option's default.
    bool isChanged(const QString& name) const;
    /// The changed fields (name -> value(name)), e.g. for a preset.
    QVariantMap changedValues() const;
    /// Resets every field, then applies `values` (name -> text). Returns
    /// the names of options the schema does not have (they are ignored).
    QStringList setValues(const QVariantMap& values);
    /// Every field back to its default.
    void reset();

    /// Fills the form from option arguments ("--a 1 --flag --b=x", with no
    /// program or command words): resets first, then applies each one.
    /// False, with `error` naming the argument, for an unknown option or a
    /// missing value.
    bool setArguments(const QStringList& arguments, QString* error = nullptr);

    /// Shows only fields whose name or help contains `text` (case-insensitive).
    void setFilter(const QString& text);

    /// The editor of an option (for tests and focus): QCheckBox, QComboBox,
    /// QSpinBox or QLineEdit.
    QWidget* editor(const QString& name) const;

signals:
    void changed();
    /// The pointer entered a field or its label, or a field took the focus: its option's help.
    void helpRequested(const QString& name, const QString& description);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Field {
        OptionSpec spec;
        QWidget* editorRow = nullptr;  ///< what the form row holds (editor, plus Browse for paths)
        QFormLayout* form = nullptr;    ///< the section it is in
        QLabel* label = nullptr;
        QCheckBox* check = nullptr;
        QComboBox* combo = nullptr;
        QSpinBox* spin = nullptr;
        QLineEdit* line = nullptr;
    };
    Field* find(const QString& name);
    const Field* find(const QString& name) const;
    QWidget* makeEditor(Field& f);
    void watchFocus(QWidget* w, const QString& name);
    /// Labels of changed options in the link colour: those go into the command line.
    void updateMarks();

    QList<OptionSpec> specs_;
    std::vector<std::unique_ptr<Field>> fields_;
    QVBoxLayout* layout_;
    struct Section {
        QGroupBox* box = nullptr;
        QFormLayout* form = nullptr;
    };
    std::vector<Section> sections_;
    bool applying_ = false;  ///< no changed() while setValues/reset apply several fields
};

}  // namespace synthforge::widgets
