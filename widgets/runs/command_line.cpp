#include "widgets/runs/command_line.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QFontMetrics>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>

namespace synthforge::widgets {

QString shellQuote(const QString& arg) {
    // Characters that are literal everywhere in a shell word; '=' and ':' keep
    // "--name=value" and "a:b" readable.
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_@%+=:,./-]+$"));
    if (plain.match(arg).hasMatch()) return arg;
    QString quoted = arg;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QString joinCommandLine(const QString& program, const QStringList& arguments) {
    QStringList words{shellQuote(program)};
    for (const QString& a : arguments) words << shellQuote(a);
    return words.join(QLatin1Char(' '));
}

QStringList splitCommandLine(const QString& text, bool* ok) {
    QStringList words;
    QString word;
    bool inWord = false;
    QChar quote;  // '\'' or '"' while inside quotes
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quote == QLatin1Char('\'')) {
            if (c == QLatin1Char('\'')) quote = QChar();
            else word += c;
        } else if (quote == QLatin1Char('"')) {
            if (c == QLatin1Char('"')) {
                quote = QChar();
            } else if (c == QLatin1Char('\\') && i + 1 < text.size() &&
                       QStringLiteral("\"\\$`").contains(text[i + 1])) {
                word += text[++i];
            } else {
                word += c;
            }
        } else if (c.isSpace()) {
            if (inWord) words << word;
            word.clear();
            inWord = false;
        } else {
            inWord = true;
            if (c == QLatin1Char('\'') || c == QLatin1Char('"')) quote = c;
            else if (c == QLatin1Char('\\') && i + 1 < text.size()) word += text[++i];
            else word += c;
        }
    }
    if (inWord) words << word;
    if (ok) *ok = quote.isNull();
    return words;
}

CommandLineView::CommandLineView(QWidget* parent) : QWidget(parent) {
    // Wrapped over a few lines: a train command line is long, and all of it
    // should be visible before it is copied.
    text_ = new QPlainTextEdit(this);
    text_->setReadOnly(true);
    text_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    text_->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    text_->setFixedHeight(QFontMetrics(text_->font()).lineSpacing() * 4 + 12);
    text_->setToolTip(tr("The exact command line: paste it into a terminal or a cluster script"));
    copy_ = new QPushButton(tr("Copy"), this);
    copy_->setToolTip(tr("Copy the command line to the clipboard"));
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(text_, 1);
    row->addWidget(copy_, 0, Qt::AlignTop);
    connect(copy_, &QPushButton::clicked, this, &CommandLineView::copyToClipboard);
}

void CommandLineView::setCommandLine(const QString& text) {
    text_->setPlainText(text);
}

QString CommandLineView::commandLine() const { return text_->toPlainText(); }

void CommandLineView::copyToClipboard() { QApplication::clipboard()->setText(text_->toPlainText()); }

}  // namespace synthforge::widgets
