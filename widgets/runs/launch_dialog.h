#pragma once
// The launch dialog for one job kind (generate, train, finetune, eval,
// predict, and later ones): its form is built from the schema the CLI prints
// for the command (`synthforge <command> --help-json`), so the dialog and the
// CLI share one list of options. Every edit re-runs `synthforge <command>
// <args> --check` (debounced, in a QProcess, never blocking the GUI) and shows
// the CLI's own message; OK stays disabled while the last check failed. The
// exact command line is shown shell-quoted and can be copied. Presets of the
// form's values are kept per command in QSettings
// (runs/presets/<command>/<name>), and a run's argv pre-fills the form for
// "run again with changes".

#include <QDialog>
#include <QJsonObject>
#include <QString>
#include <QStringList>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProcess;
class QPushButton;
class QTimer;

namespace synthforge::widgets {

class CommandLineView;
class OptionForm;

class LaunchDialog : public QDialog {
    Q_OBJECT
public:
    /// `cli`: the synthforge executable (the studio passes the one next to
    /// its own); `command`: its words, e.g. "train" or "head render".
    LaunchDialog(const QString& cli, const QString& command, QWidget* parent = nullptr);
    ~LaunchDialog() override;

    /// The synthforge executable next to this application's (the studio's).
    static QString cliNextToApplication();

    QString cli() const { return cli_; }
    QString command() const { return command_; }

    /// Asks the CLI for the command's schema (asynchronous); schemaLoaded follows.
    void loadSchema();
    /// Builds the form from a schema (as --help-json prints it) and starts a check.
    void setSchema(const QJsonObject& schema);
    bool hasSchema() const { return !schema_.isEmpty(); }
    QJsonObject schema() const { return schema_; }
    OptionForm* form() const { return form_; }

    /// The program's arguments after the executable: the command's words,
    /// then the options the user changed and the required ones.
    QStringList arguments() const;
    /// The whole command line, shell-quoted, as the preview shows it.
    QString commandLine() const;
    /// Where the run will write: --run-dir when the command has it, else --out
    /// (the value in the form, else the option's default; "" when neither).
    QString runDirectory() const;

    /// Fills the form from the argv a run was started with (with or without
    /// the executable and the command's words). False, with `error`, when
    /// an argument is not an option of this command.
    bool prefill(const QStringList& argv, QString* error = nullptr);

    /// Named presets of this command's changed values, in QSettings.
    QStringList presetNames() const;
    void savePreset(const QString& name);
    bool loadPreset(const QString& name);
    void deletePreset(const QString& name);

    /// Runs --check now instead of after the debounce.
    void checkNow();
    bool isChecking() const { return checking_ != nullptr; }
    /// Whether the last finished check passed (false before the first one).
    bool lastCheckPassed() const { return lastCheckPassed_; }
    /// The last check's output (the CLI's message on failure).
    QString validationMessage() const { return validationMessage_; }
    QPushButton* okButton() const;

    /// Milliseconds between the last edit and the check.
    static constexpr int kCheckDelayMs = 300;

signals:
    void schemaLoaded(bool ok, const QString& error);
    void argumentsChanged(const QStringList& arguments);
    void validationFinished(bool ok, const QString& message);
    /// OK was pressed and the arguments passed --check (an edit still being
    /// checked is checked first): run `cli()` with these arguments.
    void launchRequested(const QStringList& arguments);

private:
    void onFormChanged();
    void launch();
    void onCheckFinished(QProcess* p, int exitCode, bool crashed);
    void setValidation(bool ok, const QString& message, bool pending = false);
    void refreshPresets();
    QString presetGroup() const;
    QStringList commandWords() const;

    QString cli_, command_;
    QJsonObject schema_;
    OptionForm* form_;
    QLabel* description_;
    QLabel* help_;
    QLabel* status_;
    QLineEdit* filter_;
    QComboBox* presets_;
    CommandLineView* commandLine_;
    QDialogButtonBox* buttons_;
    QTimer* debounce_;
    QProcess* schemaProcess_ = nullptr;
    QProcess* checking_ = nullptr;
    bool lastCheckPassed_ = false;
    bool launchAfterCheck_ = false;  ///< OK was pressed while an edit was being checked
    QString validationMessage_;
};

}  // namespace synthforge::widgets
