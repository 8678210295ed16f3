#include "widgets/runs/option_form.h"

#include <algorithm>
#include <limits>

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QVBoxLayout>

#include "widgets/runs/command_line.h"

namespace synthforge::widgets {

namespace {

constexpr const char* kOptionProperty = "synthforgeOption";

bool fitsInt(double v) {
    return v >= std::numeric_limits<int>::min() && v <= std::numeric_limits<int>::max();
}

bool isTrue(const QString& s) { return s == QLatin1String("true") || s == QLatin1String("1") || s == QLatin1String("on"); }

}  // namespace

OptionSpec OptionSpec::fromJson(const QJsonObject& o) {
    OptionSpec s;
    s.name = o.value(QLatin1String("name")).toString();
    for (const QJsonValue& n : o.value(QLatin1String("names")).toArray()) s.names << n.toString();
    if (s.names.isEmpty()) s.names << s.name;
    s.description = o.value(QLatin1String("description")).toString();
    s.flag = o.value(QLatin1String("kind")).toString() == QLatin1String("flag");
    s.type = o.value(QLatin1String("type")).toString(QStringLiteral("string"));
    s.defaultValue = o.value(QLatin1String("default")).toString();
    s.required = o.value(QLatin1String("required")).toBool();
    s.multiple = o.value(QLatin1String("multiple")).toBool();
    for (const QJsonValue& c : o.value(QLatin1String("choices")).toArray()) s.choices << c.toString();
    const QJsonArray range = o.value(QLatin1String("range")).toArray();
    if (range.size() == 2) {
        s.hasMin = range[0].isDouble();
        s.hasMax = range[1].isDouble();
        s.min = range[0].toDouble();
        s.max = range[1].toDouble();
    }
    s.path = o.value(QLatin1String("path")).toString(QStringLiteral("none"));
    s.group = o.value(QLatin1String("group")).toString();
    return s;
}

OptionForm::OptionForm(QWidget* parent) : QWidget(parent) {
    layout_ = new QVBoxLayout(this);
    layout_->setContentsMargins(0, 0, 0, 0);
    connect(this, &OptionForm::changed, this, &OptionForm::updateMarks);
}

void OptionForm::setSchema(const QJsonObject& schema) {
    while (QLayoutItem* item = layout_->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    sections_.clear();
    fields_.clear();
    specs_.clear();
    for (const QJsonValue& v : schema.value(QLatin1String("options")).toArray())
        specs_ << OptionSpec::fromJson(v.toObject());

    // Required options first, then the command's own sections (CLI11
    // groups) in the order the command defines them.
    QStringList groups;
    if (std::any_of(specs_.begin(), specs_.end(), [](const OptionSpec& s) { return s.required; }))
        groups << QString();
    for (const OptionSpec& s : specs_)
        if (!s.required && !groups.contains(s.group)) groups << s.group;
    for (const QString& g : groups) {
        Section sec;
        sec.box = new QGroupBox(g.isEmpty() ? tr("Required") : g, this);
        sec.form = new QFormLayout(sec.box);
        sec.form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
        sec.form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
        layout_->addWidget(sec.box);
        sections_.push_back(sec);
    }
    layout_->addStretch(1);

    for (const OptionSpec& s : specs_) {
        auto f = std::make_unique<Field>();
        f->spec = s;
        f->form = sections_[static_cast<std::size_t>(groups.indexOf(s.required ? QString() : s.group))].form;
        f->label = new QLabel(s.required ? s.name + QStringLiteral(" *") : s.name);
        QFont font = f->label->font();
        font.setBold(s.required);
        f->label->setFont(font);
        QString tip = s.description;
        if (!s.defaultValue.isEmpty()) tip += tr("\nDefault: %1").arg(s.defaultValue);
        if (s.required) tip += tr("\nRequired");
        f->label->setToolTip(tip);
        f->editorRow = makeEditor(*f);
        f->editorRow->setToolTip(tip);
        watchFocus(f->label, s.name);
        f->form->addRow(f->label, f->editorRow);
        fields_.push_back(std::move(f));
    }
    // One label column across the sections, so that the fields line up.
    int labelWidth = 0;
    for (const auto& f : fields_) labelWidth = std::max(labelWidth, f->label->sizeHint().width());
    for (const auto& f : fields_) {
        f->label->setMinimumWidth(labelWidth);
        f->label->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
}

void OptionForm::updateMarks() {
    for (const auto& f : fields_) {
        QPalette p = palette();
        if (isChanged(f->spec.name)) p.setColor(QPalette::WindowText, p.color(QPalette::Link));
        f->label->setPalette(p);
    }
}

void OptionForm::watchFocus(QWidget* w, const QString& name) {
    w->setProperty(kOptionProperty, name);
    w->installEventFilter(this);
}

QWidget* OptionForm::makeEditor(Field& f) {
    const OptionSpec& s = f.spec;
    const auto emitChanged = [this] {
        if (!applying_) emit changed();
    };
    QWidget* editor = nullptr;
    if (s.flag) {
        f.check = new QCheckBox;
        f.check->setChecked(isTrue(s.defaultValue));
        connect(f.check, &QCheckBox::toggled, this, emitChanged);
        editor = f.check;
    } else if (!s.choices.isEmpty() && !s.multiple) {
        f.combo = new QComboBox;
        // Without a default among the choices, the first entry leaves the
        // option out and lets the command decide.
        if (!s.choices.contains(s.defaultValue)) f.combo->addItem(tr("(default)"), QString());
        for (const QString& c : s.choices) f.combo->addItem(c, c);
        f.combo->setCurrentIndex(std::max(0, f.combo->findData(s.defaultValue)));
        connect(f.combo, &QComboBox::currentIndexChanged, this, emitChanged);
        editor = f.combo;
    } else if (s.type == QLatin1String("int") && !s.multiple && s.hasMin && s.hasMax && fitsInt(s.min) &&
               fitsInt(s.max) && !s.defaultValue.isEmpty()) {
        bool ok = false;
        const int def = s.defaultValue.toInt(&ok);
        if (ok) {
            f.spin = new QSpinBox;
            f.spin->setRange(static_cast<int>(s.min), static_cast<int>(s.max));
            f.spin->setValue(def);
            connect(f.spin, &QSpinBox::valueChanged, this, emitChanged);
            editor = f.spin;
        }
    }
    if (editor == nullptr) {
        f.line = new QLineEdit;
        f.line->setPlaceholderText(s.defaultValue.isEmpty() ? (s.required ? tr("required") : QString())
                                                            : s.defaultValue);
        f.line->setClearButtonEnabled(true);
        // Syntax only (partial input stays editable); the CLI's --check
        // judges the value and says what is wrong in its own words.
        if (!s.multiple && s.type == QLatin1String("int"))
            f.line->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[-+]?\\d*")), f.line));
        else if (!s.multiple && s.type == QLatin1String("float"))
            f.line->setValidator(new QRegularExpressionValidator(
                QRegularExpression(QStringLiteral("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?|[-+]?(inf|nan)")), f.line));
        connect(f.line, &QLineEdit::textChanged, this, emitChanged);
        editor = f.line;
    }
    watchFocus(editor, s.name);
    if (s.path != QLatin1String("file") && s.path != QLatin1String("dir")) return editor;

    auto* row = new QWidget;
    auto* h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    h->addWidget(editor, 1);
    auto* browse = new QPushButton(tr("Browse…"), row);
    browse->setToolTip(s.path == QLatin1String("dir") ? tr("Choose a folder") : tr("Choose a file"));
    h->addWidget(browse);
    QLineEdit* line = f.line;
    const OptionSpec spec = s;
    connect(browse, &QPushButton::clicked, this, [this, line, spec] {
        if (line == nullptr) return;
        const QString current = spec.multiple ? QString() : line->text();
        const QString title = spec.name + QStringLiteral(" — ") + spec.description;
        if (spec.path == QLatin1String("dir")) {
            const QString dir = QFileDialog::getExistingDirectory(this, title, current);
            if (!dir.isEmpty()) line->setText(dir);
        } else if (spec.multiple) {
            const QStringList files = QFileDialog::getOpenFileNames(this, title);
            QStringList quoted;
            for (const QString& file : files) quoted << shellQuote(file);
            if (!files.isEmpty()) line->setText(quoted.join(QLatin1Char(' ')));
        } else {
            const QString file = QFileDialog::getOpenFileName(this, title, current);
            if (!file.isEmpty()) line->setText(file);
        }
    });
    return row;
}

bool OptionForm::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::FocusIn || event->type() == QEvent::Enter) {
        const QString name = watched->property(kOptionProperty).toString();
        if (const Field* f = find(name)) emit helpRequested(name, f->spec.description);
    }
    return QWidget::eventFilter(watched, event);
}

OptionForm::Field* OptionForm::find(const QString& name) {
    for (auto& f : fields_)
        if (f->spec.name == name || f->spec.names.contains(name)) return f.get();
    return nullptr;
}

const OptionForm::Field* OptionForm::find(const QString& name) const {
    return const_cast<OptionForm*>(this)->find(name);
}

const OptionSpec* OptionForm::option(const QString& name) const {
    const Field* f = find(name);
    return f ? &f->spec : nullptr;
}

QWidget* OptionForm::editor(const QString& name) const {
    const Field* f = find(name);
    if (!f) return nullptr;
    if (f->check) return f->check;
    if (f->combo) return f->combo;
    if (f->spin) return f->spin;
    return f->line;
}

QString OptionForm::value(const QString& name) const {
    const Field* f = find(name);
    if (!f) return QString();
    if (f->check) return f->check->isChecked() ? QStringLiteral("true") : QStringLiteral("false");
    if (f->combo) return f->combo->currentData().toString();
    if (f->spin) return QString::number(f->spin->value());
    return f->line->text().trimmed();
}

bool OptionForm::isChanged(const QString& name) const {
    const Field* f = find(name);
    if (!f) return false;
    const QString v = value(name);
    if (f->check) return f->check->isChecked() != isTrue(f->spec.defaultValue);
    if (f->line) return !v.isEmpty() && v != f->spec.defaultValue;
    return v != f->spec.defaultValue;
}

bool OptionForm::setValue(const QString& name, const QString& text) {
    Field* f = find(name);
    if (!f) return false;
    if (f->check) {
        f->check->setChecked(text.isEmpty() || isTrue(text));
    } else if (f->combo) {
        int i = f->combo->findData(text);
        if (i < 0) {
            // A value the choices lack (an older run, a hand-written preset):
            // keep it visible, so that --check can say what is wrong with it.
            f->combo->addItem(text, text);
            i = f->combo->count() - 1;
        }
        f->combo->setCurrentIndex(i);
    } else if (f->spin) {
        bool ok = false;
        const int v = text.toInt(&ok);
        if (ok && v >= f->spin->minimum() && v <= f->spin->maximum()) {
            f->spin->setValue(v);
        } else {
            // Out of the spin box's range: a line edit keeps the text as given.
            auto* line = new QLineEdit(text);
            line->setPlaceholderText(f->spec.defaultValue);
            connect(line, &QLineEdit::textChanged, this, [this] {
                if (!applying_) emit changed();
            });
            watchFocus(line, f->spec.name);
            f->form->replaceWidget(f->spin, line);
            f->spin->deleteLater();
            f->spin = nullptr;
            f->line = line;
            f->editorRow = line;
            if (!applying_) emit changed();
        }
    } else {
        f->line->setText(text);
    }
    return true;
}

QStringList OptionForm::arguments() const {
    QStringList args;
    for (const auto& f : fields_) {
        const OptionSpec& s = f->spec;
        if (!isChanged(s.name) && !(s.required && !value(s.name).isEmpty())) continue;
        const QString v = value(s.name);
        if (s.flag) {
            if (f->check->isChecked()) args << s.name;
        } else if (s.multiple) {
            args << s.name << splitCommandLine(v);
        } else if (v.startsWith(QLatin1Char('-'))) {
            args << s.name + QLatin1Char('=') + v;
        } else {
            args << s.name << v;
        }
    }
    return args;
}

QVariantMap OptionForm::changedValues() const {
    QVariantMap out;
    for (const auto& f : fields_)
        if (isChanged(f->spec.name)) out.insert(f->spec.name, value(f->spec.name));
    return out;
}

void OptionForm::reset() {
    applying_ = true;
    for (auto& f : fields_) {
        const OptionSpec& s = f->spec;
        if (f->check) f->check->setChecked(isTrue(s.defaultValue));
        else if (f->combo) f->combo->setCurrentIndex(std::max(0, f->combo->findData(s.defaultValue)));
        else if (f->spin) f->spin->setValue(s.defaultValue.toInt());
        else f->line->clear();
    }
    applying_ = false;
    emit changed();
}

QStringList OptionForm::setValues(const QVariantMap& values) {
    reset();
    QStringList unknown;
    applying_ = true;
    for (auto it = values.begin(); it != values.end(); ++it)
        if (!setValue(it.key(), it.value().toString())) unknown << it.key();
    applying_ = false;
    emit changed();
    return unknown;
}

bool OptionForm::setArguments(const QStringList& arguments, QString* error) {
    const auto fail = [&](const QString& why) {
        if (error) *error = why;
        applying_ = false;
        emit changed();
        return false;
    };
    reset();
    applying_ = true;
    for (int i = 0; i < arguments.size(); ++i) {
        QString name = arguments[i], inlineValue;
        bool hasInline = false;
        if (name.startsWith(QLatin1String("--")) && name.contains(QLatin1Char('='))) {
            inlineValue = name.mid(name.indexOf(QLatin1Char('=')) + 1);
            name = name.left(name.indexOf(QLatin1Char('=')));
            hasInline = true;
        }
        const Field* f = find(name);
        if (!f || !name.startsWith(QLatin1Char('-'))) return fail(tr("%1: not an option of this command").arg(arguments[i]));
        if (f->spec.flag) {
            setValue(f->spec.name, hasInline ? inlineValue : QStringLiteral("true"));
            continue;
        }
        if (hasInline) {
            setValue(f->spec.name, f->spec.multiple ? shellQuote(inlineValue) : inlineValue);
            continue;
        }
        if (i + 1 >= arguments.size()) return fail(tr("%1: needs a value").arg(name));
        if (!f->spec.multiple) {
            setValue(f->spec.name, arguments[++i]);
            continue;
        }
        // Values up to the next option of this command.
        QStringList words;
        while (i + 1 < arguments.size()) {
            const QString& next = arguments[i + 1];
            const QString nextName = next.left(next.indexOf(QLatin1Char('=')));
            if (next.startsWith(QLatin1Char('-')) && find(nextName.isEmpty() ? next : nextName)) break;
            words << shellQuote(arguments[++i]);
        }
        if (words.isEmpty()) return fail(tr("%1: needs a value").arg(name));
        setValue(f->spec.name, words.join(QLatin1Char(' ')));
    }
    applying_ = false;
    emit changed();
    return true;
}

void OptionForm::setFilter(const QString& text) {
    const QString t = text.trimmed();
    for (auto& f : fields_) {
        const bool show = t.isEmpty() || f->spec.name.contains(t, Qt::CaseInsensitive) ||
                          f->spec.description.contains(t, Qt::CaseInsensitive);
        f->form->setRowVisible(f->label, show);
    }
    for (Section& s : sections_) {
        bool any = false;
        for (const auto& f : fields_)
            if (f->form == s.form && (t.isEmpty() || f->spec.name.contains(t, Qt::CaseInsensitive) ||
                                      f->spec.description.contains(t, Qt::CaseInsensitive)))
                any = true;
        s.box->setVisible(any);
    }
}

}  // namespace synthforge::widgets
