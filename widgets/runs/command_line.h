#pragma once
// Command lines as a POSIX shell reads them: quoting for the launch dialog's
// copyable preview, and splitting for multi-valued fields and pasted text.
// CommandLineView shows one read-only with a Copy button.

#include <QString>
#include <QStringList>
#include <QWidget>

class QPlainTextEdit;
class QPushButton;

namespace synthforge::widgets {

/// `arg` quoted for a POSIX shell: unchanged when it holds only characters
/// no shell treats specially, else in single quotes (a ' becomes '\'').
QString shellQuote(const QString& arg);

/// `program` and `arguments`, each quoted, separated by spaces.
QString joinCommandLine(const QString& program, const QStringList& arguments);

/// The words a POSIX shell makes of `text` (single and double quotes,
/// backslash escapes; no expansions). Sets *ok to false on an unterminated quote.
QStringList splitCommandLine(const QString& text, bool* ok = nullptr);

/// A read-only, selectable command line with a Copy button (to the clipboard).
class CommandLineView : public QWidget {
    Q_OBJECT
public:
    explicit CommandLineView(QWidget* parent = nullptr);

    void setCommandLine(const QString& text);
    QString commandLine() const;
    QPushButton* copyButton() const { return copy_; }

public slots:
    void copyToClipboard();

private:
    QPlainTextEdit* text_;
    QPushButton* copy_;
};

}  // namespace synthforge::widgets
