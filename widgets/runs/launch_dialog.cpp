#include "widgets/runs/launch_dialog.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QTimer>
#include <QVBoxLayout>

#include "widgets/runs/command_line.h"
#include "widgets/runs/option_form.h"

namespace synthforge::widgets {

namespace {

/// Ends a CLI child that is no longer wanted, without waiting for it.
void discard(QProcess* p) {
    if (p == nullptr) return;
    QObject::disconnect(p, nullptr, nullptr, nullptr);
    QObject::connect(p, &QProcess::finished, p, &QObject::deleteLater);
    if (p->state() == QProcess::NotRunning) p->deleteLater();
    else p->kill();
}

}  // namespace

LaunchDialog::LaunchDialog(const QString& cli, const QString& command, QWidget* parent)
    : QDialog(parent), cli_(cli), command_(command) {
    setWindowTitle(tr("Launch %1").arg(command));

    description_ = new QLabel(this);
    description_->setWordWrap(true);

    presets_ = new QComboBox(this);
    presets_->setMinimumContentsLength(16);
    presets_->setToolTip(tr("Load a saved preset of this form"));
    auto* save = new QPushButton(tr("Save preset…"), this);
    auto* remove = new QPushButton(tr("Delete"), this);
    remove->setToolTip(tr("Delete the chosen preset"));
    filter_ = new QLineEdit(this);
    filter_->setPlaceholderText(tr("Filter options"));
    filter_->setClearButtonEnabled(true);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Preset:"), this));
    top->addWidget(presets_);
    top->addWidget(save);
    top->addWidget(remove);
    top->addStretch(1);
    top->addWidget(filter_);

    // The options scroll: train has about fifty of them.
    form_ = new OptionForm;
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(form_);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    help_ = new QLabel(this);
    help_->setWordWrap(true);
    help_->setTextFormat(Qt::PlainText);
    help_->setStyleSheet(QStringLiteral("color: palette(mid);"));
    help_->setText(tr("Point at an option for its help. * marks required options; options in the link colour differ "
                      "from the CLI's defaults and are the ones on the command line."));
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    status_->setTextFormat(Qt::PlainText);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    commandLine_ = new CommandLineView(this);

    buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::Reset, this);
    buttons_->button(QDialogButtonBox::Ok)->setText(tr("Launch"));
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(false);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(description_);
    layout->addLayout(top);
    layout->addWidget(scroll, 1);
    layout->addWidget(help_);
    layout->addWidget(status_);
    layout->addWidget(new QLabel(tr("Command line:"), this));
    layout->addWidget(commandLine_);
    layout->addWidget(buttons_);
    resize(780, 860);

    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(kCheckDelayMs);
    connect(debounce_, &QTimer::timeout, this, &LaunchDialog::checkNow);
    connect(form_, &OptionForm::changed, this, &LaunchDialog::onFormChanged);
    connect(form_, &OptionForm::helpRequested, this, [this](const QString& name, const QString& text) {
        help_->setText(name + QStringLiteral(": ") + text);
    });
    connect(filter_, &QLineEdit::textChanged, form_, &OptionForm::setFilter);
    connect(save, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Save preset"), tr("Preset name:"), QLineEdit::Normal,
                                                   presets_->currentText(), &ok);
        if (ok && !name.trimmed().isEmpty()) savePreset(name.trimmed());
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        if (!presets_->currentText().isEmpty()) deletePreset(presets_->currentText());
    });
    connect(presets_, &QComboBox::activated, this, [this](int i) {
        if (i > 0) loadPreset(presets_->itemText(i));
    });
    connect(buttons_, &QDialogButtonBox::accepted, this, &LaunchDialog::launch);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons_->button(QDialogButtonBox::Reset), &QPushButton::clicked, form_, &OptionForm::reset);
    refreshPresets();
    onFormChanged();
}

LaunchDialog::~LaunchDialog() {
    // A check or schema request still running must not outlive the dialog.
    for (QProcess* p : {checking_, schemaProcess_}) {
        if (p == nullptr) continue;
        QObject::disconnect(p, nullptr, this, nullptr);
        p->kill();
        p->waitForFinished(2000);
    }
}

QString LaunchDialog::cliNextToApplication() {
    return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("synthforge"));
}

void LaunchDialog::launch() {
    // The last check passed, but for the values before the latest edit:
    // launch once the current ones pass.
    if (debounce_->isActive() || checking_ != nullptr) {
        launchAfterCheck_ = true;
        if (debounce_->isActive()) checkNow();
        return;
    }
    emit launchRequested(arguments());
    accept();
}

QStringList LaunchDialog::commandWords() const { return command_.split(QLatin1Char(' '), Qt::SkipEmptyParts); }

void LaunchDialog::loadSchema() {
    discard(schemaProcess_);
    auto* p = new QProcess(this);
    schemaProcess_ = p;
    connect(p, &QProcess::finished, this, [this, p](int code, QProcess::ExitStatus status) {
        schemaProcess_ = nullptr;
        p->deleteLater();
        const QByteArray out = p->readAllStandardOutput();
        QString error;
        QJsonParseError parse{};
        const QJsonDocument doc = QJsonDocument::fromJson(out, &parse);
        if (status != QProcess::NormalExit || code != 0)
            error = tr("%1 %2 --help-json failed: %3").arg(cli_, command_, QString::fromUtf8(p->readAllStandardError()).trimmed());
        else if (parse.error != QJsonParseError::NoError || !doc.isObject())
            error = tr("%1 %2 --help-json: not JSON (%3)").arg(cli_, command_, parse.errorString());
        else if (doc.object().value(QLatin1String("format")).toString() != QLatin1String("synthforge-cli-schema"))
            error = tr("%1 %2 --help-json: not a synthforge-cli-schema").arg(cli_, command_);
        if (error.isEmpty()) setSchema(doc.object());
        else setValidation(false, error);
        emit schemaLoaded(error.isEmpty(), error);
    });
    connect(p, &QProcess::errorOccurred, this, [this, p](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart) return;
        schemaProcess_ = nullptr;
        p->deleteLater();
        const QString error = tr("%1: cannot start it (%2)").arg(cli_, p->errorString());
        setValidation(false, error);
        emit schemaLoaded(false, error);
    });
    setValidation(false, tr("Reading the options of %1…").arg(command_), true);
    p->start(cli_, commandWords() << QStringLiteral("--help-json"));
}

void LaunchDialog::setSchema(const QJsonObject& schema) {
    schema_ = schema;
    description_->setText(schema.value(QLatin1String("description")).toString());
    form_->setSchema(schema);
    onFormChanged();
}

QStringList LaunchDialog::arguments() const { return commandWords() + form_->arguments(); }

QString LaunchDialog::commandLine() const { return joinCommandLine(cli_, arguments()); }

QString LaunchDialog::runDirectory() const {
    for (const char* name : {"--run-dir", "--out"}) {
        const OptionSpec* o = form_->option(QLatin1String(name));
        if (o == nullptr) continue;
        const QString v = form_->value(o->name);
        return v.isEmpty() ? o->defaultValue : v;
    }
    return QString();
}

bool LaunchDialog::prefill(const QStringList& argv, QString* error) {
    const QStringList words = commandWords();
    int start = -1;
    for (int i = 0; i + words.size() <= argv.size() && start < 0; ++i)
        if (argv.mid(i, words.size()) == words) start = i + static_cast<int>(words.size());
    if (start < 0) {
        if (!argv.isEmpty() && !argv.first().startsWith(QLatin1Char('-'))) {
            if (error) *error = tr("not a `%1` command line: %2").arg(command_, joinCommandLine(argv.value(0), argv.mid(1)));
            return false;
        }
        start = 0;
    }
    return form_->setArguments(argv.mid(start), error);
}

QString LaunchDialog::presetGroup() const {
    QString c = command_;
    c.replace(QLatin1Char(' '), QLatin1Char('-'));
    return QStringLiteral("runs/presets/") + c;
}

QStringList LaunchDialog::presetNames() const {
    QSettings s;
    s.beginGroup(presetGroup());
    QStringList names = s.childKeys();
    names.sort(Qt::CaseInsensitive);
    return names;
}

void LaunchDialog::savePreset(const QString& name) {
    // A '/' would make a settings sub-group, a '\\' is QSettings' escape.
    QString key = name;
    key.replace(QLatin1Char('/'), QLatin1Char('-')).replace(QLatin1Char('\\'), QLatin1Char('-'));
    QSettings s;
    s.setValue(presetGroup() + QLatin1Char('/') + key, form_->changedValues());
    refreshPresets();
    presets_->setCurrentIndex(presets_->findText(key));
}

bool LaunchDialog::loadPreset(const QString& name) {
    QSettings s;
    const QString key = presetGroup() + QLatin1Char('/') + name;
    if (!s.contains(key)) return false;
    const QStringList unknown = form_->setValues(s.value(key).toMap());
    if (!unknown.isEmpty())
        help_->setText(tr("Preset %1: ignored options this command no longer has: %2").arg(name, unknown.join(QStringLiteral(", "))));
    presets_->setCurrentIndex(presets_->findText(name));
    return true;
}

void LaunchDialog::deletePreset(const QString& name) {
    QSettings s;
    s.remove(presetGroup() + QLatin1Char('/') + name);
    refreshPresets();
}

void LaunchDialog::refreshPresets() {
    presets_->clear();
    presets_->addItem(QString());
    presets_->addItems(presetNames());
}

QPushButton* LaunchDialog::okButton() const { return buttons_->button(QDialogButtonBox::Ok); }

void LaunchDialog::onFormChanged() {
    const QStringList args = arguments();
    commandLine_->setCommandLine(commandLine());
    emit argumentsChanged(args);
    if (!hasSchema()) return;
    if (!schema_.value(QLatin1String("check")).toBool()) {
        setValidation(true, QString());
        return;
    }
    setValidation(lastCheckPassed_, tr("Checking…"), true);
    debounce_->start();
}

void LaunchDialog::checkNow() {
    debounce_->stop();
    if (!hasSchema()) return;
    discard(checking_);
    auto* p = new QProcess(this);
    checking_ = p;
    connect(p, &QProcess::finished, this, [this, p](int code, QProcess::ExitStatus status) {
        onCheckFinished(p, code, status != QProcess::NormalExit);
    });
    connect(p, &QProcess::errorOccurred, this, [this, p](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart || p != checking_) return;
        checking_ = nullptr;
        p->deleteLater();
        setValidation(false, tr("%1: cannot start it (%2)").arg(cli_, p->errorString()));
    });
    setValidation(lastCheckPassed_, tr("Checking…"), true);
    p->start(cli_, arguments() << QStringLiteral("--check"));
}

void LaunchDialog::onCheckFinished(QProcess* p, int exitCode, bool crashed) {
    p->deleteLater();
    if (p != checking_) return;
    checking_ = nullptr;
    const QString err = QString::fromUtf8(p->readAllStandardError()).trimmed();
    const QString out = QString::fromUtf8(p->readAllStandardOutput()).trimmed();
    const bool ok = !crashed && exitCode == 0;
    QString message;
    if (ok) message = err.isEmpty() ? out : out + QLatin1Char('\n') + err;  // notes come on stderr
    else if (crashed) message = tr("the check crashed: %1").arg(err);
    else message = err.isEmpty() ? out : err;
    setValidation(ok, message);
}

void LaunchDialog::setValidation(bool ok, const QString& message, bool pending) {
    okButton()->setEnabled(ok);
    if (!pending) {
        lastCheckPassed_ = ok;
        validationMessage_ = message;
    }
    QString color = pending ? QStringLiteral("palette(mid)") : ok ? QStringLiteral("#1b7f2a") : QStringLiteral("#b3261e");
    status_->setStyleSheet(QStringLiteral("color: %1;").arg(color));
    status_->setText(pending ? message : ok ? tr("✓ %1").arg(message.isEmpty() ? tr("ok") : message) : message);
    if (pending) return;
    emit validationFinished(ok, message);
    if (launchAfterCheck_) {
        launchAfterCheck_ = false;
        if (ok) launch();
    }
}

}  // namespace synthforge::widgets
