// The run centre's launch dialog: the form is built from a command's schema
// (here a fixed one, and the real CLI's --help-json), edits change the
// command line, the line is quoted for a POSIX shell, a run's argv fills the
// form back in, presets round-trip through QSettings, and validation runs
// the real `synthforge <command> --check` without blocking.
//
// SYNTHFORGE_LAUNCH_DIALOG_SCREENSHOT=<png> saves the train dialog there.

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "tests/support/tiny_dataset.h"
#include "widgets/runs/command_line.h"
#include "widgets/runs/launch_dialog.h"
#include "widgets/runs/option_form.h"

using namespace synthforge::widgets;

namespace {

const char* kCli = SYNTHFORGE_CLI;

/// A train-like schema in the --help-json format; check=false, so these
/// cases need no CLI.
QJsonObject sampleSchema() {
    const char* text = R"({
      "format": "synthforge-cli-schema", "version": 1, "command": "train",
      "description": "Train the Stage I multi-task network", "check": false,
      "options": [
        {"name": "--config", "names": ["--config"], "description": "Settings file", "kind": "value", "type": "string",
         "default": "", "required": false, "multiple": false, "path": "file", "group": "Options"},
        {"name": "--data", "names": ["--data"], "description": "Dataset folder", "kind": "value", "type": "string",
         "default": "", "required": false, "multiple": false, "path": "dir", "group": "Options"},
        {"name": "--out", "names": ["--out"], "description": "Run directory", "kind": "value", "type": "string",
         "default": "", "required": true, "multiple": false, "path": "dir", "group": "Options"},
        {"name": "--recipe", "names": ["--recipe"], "description": "Starting settings", "kind": "value", "type": "string",
         "default": "", "required": false, "multiple": false, "choices": ["fast", "paper"], "path": "none", "group": "Options"},
        {"name": "--size", "names": ["--size"], "description": "Square training resolution", "kind": "value", "type": "int",
         "default": "256", "required": false, "multiple": false, "range": [64, 4096], "path": "none", "group": "Options"},
        {"name": "--seed", "names": ["--seed"], "description": "Seed", "kind": "value", "type": "int",
         "default": "0", "required": false, "multiple": false, "path": "none", "group": "Options"},
        {"name": "--lr", "names": ["--lr"], "description": "Peak learning rate", "kind": "value", "type": "float",
         "default": "0.002", "required": false, "multiple": false, "path": "none", "group": "Optimiser and schedule"},
        {"name": "--schedule", "names": ["--schedule"], "description": "Decay after warm-up", "kind": "value", "type": "string",
         "default": "cosine", "required": false, "multiple": false, "choices": ["cosine", "linear", "constant"],
         "path": "none", "group": "Optimiser and schedule"},
        {"name": "--images", "names": ["--images"], "description": "Images", "kind": "value", "type": "string",
         "default": "", "required": false, "multiple": true, "path": "file", "group": "Options"},
        {"name": "--resume", "names": ["--resume"], "description": "Continue the run", "kind": "flag", "type": "bool",
         "default": "", "required": false, "multiple": false, "path": "none", "group": "Options"}
      ]})";
    return QJsonDocument::fromJson(text).object();
}

template <typename W>
W* editorAs(LaunchDialog& d, const char* name) {
    return qobject_cast<W*>(d.form()->editor(QLatin1String(name)));
}

}  // namespace

class TestLaunchDialog : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SynthForgeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_launch_dialog"));
        QSettings().remove(QStringLiteral("runs/presets"));
        QVERIFY(dir_.isValid());
    }

    void formIsBuiltFromTheSchema() {
        LaunchDialog d(QStringLiteral("/opt/sf/synthforge"), QStringLiteral("train"));
        d.setSchema(sampleSchema());
        QCOMPARE(d.form()->options().size(), 10);
        QVERIFY(editorAs<QSpinBox>(d, "--size"));
        QCOMPARE(editorAs<QSpinBox>(d, "--size")->value(), 256);
        QCOMPARE(editorAs<QSpinBox>(d, "--size")->minimum(), 64);
        QCOMPARE(editorAs<QSpinBox>(d, "--size")->maximum(), 4096);
        auto* schedule = editorAs<QComboBox>(d, "--schedule");
        QVERIFY(schedule);
        QCOMPARE(schedule->count(), 3);
        QCOMPARE(schedule->currentText(), QStringLiteral("cosine"));
        // No default among the choices: a first entry that leaves it to the CLI.
        QCOMPARE(editorAs<QComboBox>(d, "--recipe")->count(), 3);
        QVERIFY(editorAs<QCheckBox>(d, "--resume"));
        auto* lr = editorAs<QLineEdit>(d, "--lr");
        QVERIFY(lr);
        QCOMPARE(lr->placeholderText(), QStringLiteral("0.002"));
        QVERIFY(lr->validator());
        QVERIFY(editorAs<QLineEdit>(d, "--seed"));  // no range: a line edit with a validator
        // Paths get a Browse button beside the field; help is the tooltip.
        QWidget* dataRow = editorAs<QLineEdit>(d, "--data")->parentWidget();
        QVERIFY(dataRow->findChild<QPushButton*>());
        QCOMPARE(dataRow->toolTip().section(QLatin1Char('\n'), 0, 0), QStringLiteral("Dataset folder"));
        // The required option is marked.
        bool marked = false;
        for (QLabel* l : d.form()->findChildren<QLabel*>())
            if (l->text() == QStringLiteral("--out *") && l->font().bold()) marked = true;
        QVERIFY(marked);
        QCOMPARE(d.windowTitle(), QStringLiteral("Launch train"));
        QVERIFY(d.findChild<QScrollArea*>());
        // Untouched: only the command; the CLI's defaults stay in charge.
        QCOMPARE(d.arguments(), QStringList{QStringLiteral("train")});
    }

    void editingChangesTheCommandLine() {
        LaunchDialog d(QStringLiteral("/opt/sf/synthforge"), QStringLiteral("train"));
        d.setSchema(sampleSchema());
        QSignalSpy changed(&d, &LaunchDialog::argumentsChanged);
        editorAs<QLineEdit>(d, "--out")->setText(QStringLiteral("/runs/a"));
        editorAs<QSpinBox>(d, "--size")->setValue(128);
        editorAs<QComboBox>(d, "--schedule")->setCurrentText(QStringLiteral("linear"));
        editorAs<QCheckBox>(d, "--resume")->setChecked(true);
        QTest::keyClicks(editorAs<QLineEdit>(d, "--lr"), QStringLiteral("1e-3"));
        QCOMPARE(d.arguments(), (QStringList{"train", "--out", "/runs/a", "--size", "128", "--lr", "1e-3", "--schedule",
                                             "linear", "--resume"}));
        QVERIFY(changed.count() >= 5);
        QCOMPARE(d.commandLine(),
                 QStringLiteral("/opt/sf/synthforge train --out /runs/a --size 128 --lr 1e-3 --schedule linear --resume"));
        auto* view = d.findChild<CommandLineView*>();
        QVERIFY(view);
        QCOMPARE(view->commandLine(), d.commandLine());
        view->copyButton()->click();
        QCOMPARE(QGuiApplication::clipboard()->text(), d.commandLine());
        QCOMPARE(d.runDirectory(), QStringLiteral("/runs/a"));

        // Back to a default value: the option leaves the command line.
        editorAs<QSpinBox>(d, "--size")->setValue(256);
        QVERIFY(!d.arguments().contains(QStringLiteral("--size")));
        // A negative value is written --name=value, which no parser takes for an option.
        editorAs<QLineEdit>(d, "--lr")->setText(QStringLiteral("-1"));
        QVERIFY(d.arguments().contains(QStringLiteral("--lr=-1")));
    }

    void quotingForAPosixShell() {
        QCOMPARE(shellQuote(QStringLiteral("plain/path-1.2_x")), QStringLiteral("plain/path-1.2_x"));
        QCOMPARE(shellQuote(QStringLiteral("my runs")), QStringLiteral("'my runs'"));
        QCOMPARE(shellQuote(QStringLiteral("it's")), QStringLiteral("'it'\\''s'"));
        QCOMPARE(shellQuote(QStringLiteral("$HOME")), QStringLiteral("'$HOME'"));
        QCOMPARE(shellQuote(QString()), QStringLiteral("''"));

        LaunchDialog d(QStringLiteral("/opt/Synth Forge/synthforge"), QStringLiteral("train"));
        d.setSchema(sampleSchema());
        const QString out = QStringLiteral("/tmp/my runs/it's \"quoted\"");
        editorAs<QLineEdit>(d, "--out")->setText(out);
        QCOMPARE(d.commandLine(),
                 QStringLiteral("'/opt/Synth Forge/synthforge' train --out '/tmp/my runs/it'\\''s \"quoted\"'"));
        // What a shell would make of it is exactly the program and its arguments.
        bool ok = false;
        QCOMPARE(splitCommandLine(d.commandLine(), &ok),
                 QStringList{QStringLiteral("/opt/Synth Forge/synthforge")} + d.arguments());
        QVERIFY(ok);
        QCOMPARE(splitCommandLine(QStringLiteral("a \"b c\" d\\ e 'f\"g'"), &ok),
                 (QStringList{"a", "b c", "d e", "f\"g"}));
        splitCommandLine(QStringLiteral("'open"), &ok);
        QVERIFY(!ok);
    }

    void argvPrefillRoundTrips() {
        LaunchDialog a(QStringLiteral("/opt/sf/synthforge"), QStringLiteral("train"));
        a.setSchema(sampleSchema());
        editorAs<QLineEdit>(a, "--out")->setText(QStringLiteral("/runs/with space"));
        editorAs<QLineEdit>(a, "--data")->setText(QStringLiteral("/data/ds"));
        editorAs<QSpinBox>(a, "--size")->setValue(64);
        editorAs<QLineEdit>(a, "--lr")->setText(QStringLiteral("-0.5"));
        editorAs<QComboBox>(a, "--recipe")->setCurrentText(QStringLiteral("paper"));
        editorAs<QLineEdit>(a, "--images")->setText(QStringLiteral("a.png 'b c.png' d"));
        editorAs<QCheckBox>(a, "--resume")->setChecked(true);
        const QStringList argv = QStringList{QStringLiteral("/usr/bin/synthforge")} + a.arguments();
        QVERIFY(argv.contains(QStringLiteral("b c.png")));

        LaunchDialog b(QStringLiteral("/opt/sf/synthforge"), QStringLiteral("train"));
        b.setSchema(sampleSchema());
        QString error;
        QVERIFY2(b.prefill(argv, &error), qPrintable(error));
        QCOMPARE(b.arguments(), a.arguments());
        QCOMPARE(b.form()->value(QStringLiteral("--out")), QStringLiteral("/runs/with space"));
        QCOMPARE(editorAs<QSpinBox>(b, "--size")->value(), 64);

        // Without the executable and command, and with --name=value spellings.
        QVERIFY(b.prefill({"--out=/r", "--size", "512", "--schedule=constant"}, &error));
        QCOMPARE(b.arguments(), (QStringList{"train", "--out", "/r", "--size", "512", "--schedule", "constant"}));
        // Something the command does not have is refused, naming it.
        QVERIFY(!b.prefill({"synthforge", "train", "--out", "/r", "--bogus", "1"}, &error));
        QVERIFY2(error.contains(QStringLiteral("--bogus")), qPrintable(error));
        QVERIFY(!b.prefill({"synthforge", "generate", "--count", "3"}, &error));
        QVERIFY(!b.prefill({"synthforge", "train", "--out"}, &error));
        QVERIFY2(error.contains(QStringLiteral("needs a value")), qPrintable(error));
    }

    void presetsSaveLoadDelete() {
        LaunchDialog d(QStringLiteral("/opt/sf/synthforge"), QStringLiteral("train"));
        d.setSchema(sampleSchema());
        editorAs<QSpinBox>(d, "--size")->setValue(512);
        editorAs<QComboBox>(d, "--schedule")->setCurrentText(QStringLiteral("constant"));
        editorAs<QCheckBox>(d, "--resume")->setChecked(true);
        editorAs<QLineEdit>(d, "--data")->setText(QStringLiteral("/data/x y"));
        const QStringList saved = d.arguments();
        d.savePreset(QStringLiteral("big/slow"));  // '/' would be a settings group
        QCOMPARE(d.presetNames(), QStringList{QStringLiteral("big-slow")});
        QVERIFY(QSettings().contains(QStringLiteral("runs/presets/train/big-slow")));

        d.form()->reset();
        QCOMPARE(d.arguments(), QStringList{QStringLiteral("train")});

        // Another dialog for the same command sees the preset; another command does not.
        LaunchDialog other(QStringLiteral("/opt/sf/synthforge"), QStringLiteral("train"));
        other.setSchema(sampleSchema());
        QVERIFY(other.loadPreset(QStringLiteral("big-slow")));
        QCOMPARE(other.arguments(), saved);
        QVERIFY(LaunchDialog(QStringLiteral("x"), QStringLiteral("eval")).presetNames().isEmpty());
        QVERIFY(d.loadPreset(QStringLiteral("big-slow")));
        QCOMPARE(d.arguments(), saved);

        d.deletePreset(QStringLiteral("big-slow"));
        QVERIFY(d.presetNames().isEmpty());
        QVERIFY(!d.loadPreset(QStringLiteral("big-slow")));
    }

    void schemaAndValidationFromTheRealCli() {
        const QString ds = dir_.filePath(QStringLiteral("ds"));
        // 12 samples: 10 train, enough for the default batch of 8.
        synthforge::testutil::writeTinyDataset(ds.toStdString(), 12, 2);

        LaunchDialog d(QString::fromUtf8(kCli), QStringLiteral("train"));
        QSignalSpy loaded(&d, &LaunchDialog::schemaLoaded);
        QSignalSpy checked(&d, &LaunchDialog::validationFinished);
        d.loadSchema();
        QVERIFY(loaded.wait(30000));
        QVERIFY2(loaded.first().at(0).toBool(), qPrintable(loaded.first().at(1).toString()));
        QVERIFY(d.form()->options().size() > 40);
        QCOMPARE(editorAs<QComboBox>(d, "--schedule")->count(), 4);

        // The first check: --out is missing, in CLI11's words; OK is disabled.
        QVERIFY(checked.wait(30000));
        QCOMPARE(checked.last().at(0).toBool(), false);
        QVERIFY2(d.validationMessage().contains(QStringLiteral("--out is required")), qPrintable(d.validationMessage()));
        QVERIFY(!d.okButton()->isEnabled());

        // Several quick edits make one check (300 ms debounce), which passes.
        checked.clear();
        editorAs<QLineEdit>(d, "--data")->setText(ds);
        editorAs<QLineEdit>(d, "--out")->setText(dir_.filePath(QStringLiteral("run")));
        editorAs<QSpinBox>(d, "--size")->setValue(64);
        QVERIFY(d.form()->isChanged(QStringLiteral("--size")));
        QVERIFY(checked.wait(30000));
        QVERIFY2(checked.last().at(0).toBool(), qPrintable(d.validationMessage()));
        QTest::qWait(LaunchDialog::kCheckDelayMs * 2);
        QCOMPARE(checked.count(), 1);
        QVERIFY(d.okButton()->isEnabled());
        QVERIFY(!QDir(dir_.filePath(QStringLiteral("run"))).exists());

        // A value the trainer refuses: its message, exit 1, OK disabled.
        checked.clear();
        editorAs<QLineEdit>(d, "--lr")->setText(QStringLiteral("-1"));
        QVERIFY(checked.wait(30000));
        QCOMPARE(checked.last().at(0).toBool(), false);
        QVERIFY2(d.validationMessage().contains(QStringLiteral("lr: must be positive")), qPrintable(d.validationMessage()));
        QVERIFY(!d.okButton()->isEnabled());

        // A choice the CLI does not know (from an old argv): CLI11's message.
        checked.clear();
        editorAs<QLineEdit>(d, "--lr")->clear();
        QVERIFY(d.form()->setValue(QStringLiteral("--schedule"), QStringLiteral("sometimes")));
        QVERIFY(checked.wait(30000));
        QVERIFY2(d.validationMessage().contains(QStringLiteral("sometimes not in {cosine,linear,constant,step}")),
                 qPrintable(d.validationMessage()));

        // Fixed again; OK launches with the arguments shown.
        checked.clear();
        editorAs<QComboBox>(d, "--schedule")->setCurrentText(QStringLiteral("linear"));
        QVERIFY(checked.wait(30000));
        QVERIFY(checked.last().at(0).toBool());
        QSignalSpy launch(&d, &LaunchDialog::launchRequested);
        // OK right after an edit launches once the edit has passed its check.
        editorAs<QLineEdit>(d, "--seed")->setText(QStringLiteral("5"));
        d.okButton()->click();
        QCOMPARE(launch.count(), 0);
        QVERIFY(launch.wait(30000));
        QCOMPARE(launch.count(), 1);
        QCOMPARE(launch.first().at(0).toStringList(), d.arguments());
        QVERIFY(d.arguments().contains(QStringLiteral("linear")));
        QVERIFY(d.arguments().contains(QStringLiteral("--seed")));
        QCOMPARE(d.result(), int(QDialog::Accepted));

        if (const QByteArray shot = qgetenv("SYNTHFORGE_LAUNCH_DIALOG_SCREENSHOT"); !shot.isEmpty()) {
            LaunchDialog view(QString::fromUtf8(kCli), QStringLiteral("train"));
            QSignalSpy viewLoaded(&view, &LaunchDialog::schemaLoaded);
            QSignalSpy viewChecked(&view, &LaunchDialog::validationFinished);
            view.loadSchema();
            QVERIFY(viewLoaded.wait(30000));
            QVERIFY(viewChecked.wait(30000));
            QVERIFY(view.prefill(d.arguments() + QStringList{"--lr", "-1"}));
            viewChecked.clear();
            view.show();
            QVERIFY(viewChecked.wait(30000));
            QVERIFY(view.grab().save(QString::fromLocal8Bit(shot)));
        }
    }

    void cliNextToTheApplication() {
        QCOMPARE(QFileInfo(LaunchDialog::cliNextToApplication()).dir(), QDir(QCoreApplication::applicationDirPath()));
        QCOMPARE(QFileInfo(LaunchDialog::cliNextToApplication()).fileName(), QStringLiteral("synthforge"));
    }

    void missingCliIsReported() {
        LaunchDialog d(dir_.filePath(QStringLiteral("no-such-synthforge")), QStringLiteral("train"));
        QSignalSpy loaded(&d, &LaunchDialog::schemaLoaded);
        d.loadSchema();
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.first().at(0).toBool(), false);
        QVERIFY(loaded.first().at(1).toString().contains(QStringLiteral("cannot start")));
        QVERIFY(!d.okButton()->isEnabled());
    }

private:
    QTemporaryDir dir_;
};

QTEST_MAIN(TestLaunchDialog)
#include "test_launch_dialog.moc"
