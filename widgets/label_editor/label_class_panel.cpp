#include "widgets/label_editor/label_class_panel.h"

#include <algorithm>
#include <stdexcept>

#include <QColorDialog>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include "widgets/label_editor/label_class_table_model.h"
#include "widgets/label_editor/label_edit_document.h"

namespace synthforge::widgets {

LabelClassPanel::LabelClassPanel(LabelEditDocument* doc, QWidget* parent)
    : QWidget(parent), doc_(doc), model_(new LabelClassTableModel(doc, this)) {
    auto* box = new QVBoxLayout(this);
    box->setContentsMargins(0, 0, 0, 0);
    view_ = new QTableView(this);
    view_->setModel(model_);
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->setSelectionMode(QAbstractItemView::SingleSelection);
    view_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    view_->verticalHeader()->setVisible(false);
    view_->verticalHeader()->setDefaultSectionSize(20);
    view_->horizontalHeader()->setSectionResizeMode(LabelClassTableModel::Name, QHeaderView::Stretch);
    view_->horizontalHeader()->setSectionResizeMode(LabelClassTableModel::Key, QHeaderView::ResizeToContents);
    view_->horizontalHeader()->setSectionResizeMode(LabelClassTableModel::Id, QHeaderView::ResizeToContents);
    box->addWidget(view_, 1);

    auto* buttons = new QHBoxLayout;
    auto* add = new QPushButton(tr("Add…"), this);
    auto* color = new QPushButton(tr("Colour…"), this);
    auto* up = new QPushButton(tr("Up"), this);
    auto* down = new QPushButton(tr("Down"), this);
    for (auto* b : {add, color, up, down}) buttons->addWidget(b);
    box->addLayout(buttons);

    auto* flipRow = new QHBoxLayout;
    flipRow->addWidget(new QLabel(tr("Flip partner:"), this));
    flip_ = new QComboBox(this);
    flip_->setToolTip(tr("The class mirror painting and horizontal flips turn the selected class into"));
    flipRow->addWidget(flip_, 1);
    box->addLayout(flipRow);

    auto* presetRow = new QHBoxLayout;
    preset_ = new QComboBox(this);
    preset_->addItem(tr("Default (FaceSynthetics)"), static_cast<int>(annotate::ClassPreset::FaceSynthetics));
    preset_->addItem(tr("SynthForge (20 classes)"), static_cast<int>(annotate::ClassPreset::SynthForge));
    auto* applyPresetButton = new QPushButton(tr("Use preset"), this);
    applyPresetButton->setToolTip(tr("Replace the class table by the preset; the map's ids are kept as they are"));
    presetRow->addWidget(preset_, 1);
    presetRow->addWidget(applyPresetButton);
    box->addLayout(presetRow);

    connect(model_, &LabelClassTableModel::renameRequested, this, &LabelClassPanel::renameClass);
    connect(model_, &QAbstractItemModel::modelReset, this, [this] {
        setCurrentClass(current_);
        updateFlipCombo();
    });
    connect(view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& i) {
        if (syncing_) return;
        const int id = model_->idAt(i.row());
        if (id < 0) return;
        current_ = id;
        updateFlipCombo();
        emit classSelected(id);
    });
    connect(add, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Add class"), tr("Name:"), QLineEdit::Normal, {}, &ok);
        if (!ok) return;
        const QColor c = QColorDialog::getColor(Qt::white, this, tr("Class colour"));
        if (c.isValid()) addClass(name, c);
    });
    connect(color, &QPushButton::clicked, this, &LabelClassPanel::chooseColor);
    connect(up, &QPushButton::clicked, this, [this] { moveClass(current_, -1); });
    connect(down, &QPushButton::clicked, this, [this] { moveClass(current_, +1); });
    connect(flip_, &QComboBox::activated, this, [this](int index) {
        if (current_ >= 0) setFlipPartner(current_, flip_->itemData(index).toInt());
    });
    connect(applyPresetButton, &QPushButton::clicked, this, [this] {
        applyPreset(static_cast<annotate::ClassPreset>(preset_->currentData().toInt()));
    });
}

void LabelClassPanel::setCurrentClass(int id) {
    current_ = id;
    const int row = model_->rowOf(id);
    syncing_ = true;
    if (row >= 0) view_->selectRow(row);
    else view_->clearSelection();
    syncing_ = false;
    updateFlipCombo();
}

void LabelClassPanel::updateFlipCombo() {
    syncing_ = true;
    flip_->clear();
    const annotate::ClassEntry* c = doc_->classes().findById(current_);
    for (const annotate::ClassEntry& e : doc_->classes().entries())
        flip_->addItem(e.id == current_ ? tr("(itself)") : QString::fromStdString(e.name), e.id);
    if (c) flip_->setCurrentIndex(flip_->findData(c->flip));
    flip_->setEnabled(c != nullptr);
    syncing_ = false;
}

void LabelClassPanel::chooseColor() {
    const annotate::ClassEntry* c = doc_->classes().findById(current_);
    if (!c) return;
    const QColor chosen = QColorDialog::getColor(QColor(c->color[0], c->color[1], c->color[2]), this,
                                                 tr("Colour of %1").arg(QString::fromStdString(c->name)));
    if (chosen.isValid()) recolorClass(current_, chosen);
}

bool LabelClassPanel::commit(std::vector<annotate::ClassEntry> entries, std::vector<int> order, const QString& text) {
    try {
        annotate::ClassTable table(std::move(entries));
        QString why;
        if (!doc_->editClasses(std::move(table), std::move(order), text, &why)) {
            emit error(tr("Cannot change the classes"), why);
            return false;
        }
    } catch (const std::exception& e) {
        emit error(tr("Cannot change the classes"), QString::fromStdString(e.what()));
        return false;
    }
    return true;
}

bool LabelClassPanel::addClass(const QString& name, const QColor& color) {
    // The smallest free id below 255 (255 is "ignore" by convention).
    int id = -1;
    for (int i = 0; i < 255 && id < 0; ++i)
        if (!doc_->classes().findById(i)) id = i;
    if (id < 0) {
        emit error(tr("Cannot add a class"), tr("All 255 class ids are in use."));
        return false;
    }
    auto entries = doc_->classes().entries();
    annotate::ClassEntry e;
    e.id = id;
    e.name = name.trimmed().toStdString();
    e.color = {static_cast<std::uint8_t>(color.red()), static_cast<std::uint8_t>(color.green()),
               static_cast<std::uint8_t>(color.blue())};
    e.flip = id;
    entries.push_back(e);
    auto order = doc_->order();
    order.push_back(id);
    return commit(std::move(entries), std::move(order), tr("Add class %1").arg(name));
}

bool LabelClassPanel::renameClass(int id, const QString& name) {
    auto entries = doc_->classes().entries();
    auto it = std::find_if(entries.begin(), entries.end(), [id](const auto& e) { return e.id == id; });
    if (it == entries.end()) return false;
    if (it->name == name.trimmed().toStdString()) return false;
    it->name = name.trimmed().toStdString();
    return commit(std::move(entries), doc_->order(), tr("Rename class %1").arg(id));
}

bool LabelClassPanel::recolorClass(int id, const QColor& color) {
    auto entries = doc_->classes().entries();
    auto it = std::find_if(entries.begin(), entries.end(), [id](const auto& e) { return e.id == id; });
    if (it == entries.end()) return false;
    it->color = {static_cast<std::uint8_t>(color.red()), static_cast<std::uint8_t>(color.green()),
                 static_cast<std::uint8_t>(color.blue())};
    return commit(std::move(entries), doc_->order(), tr("Recolour class %1").arg(QString::fromStdString(it->name)));
}

bool LabelClassPanel::moveClass(int id, int delta) {
    auto order = doc_->order();
    const auto it = std::find(order.begin(), order.end(), id);
    if (it == order.end()) return false;
    const long from = it - order.begin();
    const long to = std::clamp<long>(from + delta, 0, static_cast<long>(order.size()) - 1);
    if (to == from) return false;
    order.erase(order.begin() + from);
    order.insert(order.begin() + to, id);
    const bool ok = commit(doc_->classes().entries(), std::move(order), tr("Move class"));
    if (ok) setCurrentClass(id);
    return ok;
}

bool LabelClassPanel::setFlipPartner(int id, int partner) {
    auto entries = doc_->classes().entries();
    auto find = [&entries](int i) {
        auto it = std::find_if(entries.begin(), entries.end(), [i](const auto& e) { return e.id == i; });
        return it == entries.end() ? nullptr : &*it;
    };
    annotate::ClassEntry* a = find(id);
    annotate::ClassEntry* b = find(partner);
    if (!a || !b || a->flip == partner) return false;
    // Pairs stay symmetric: whoever a and b were paired with becomes unpaired.
    if (annotate::ClassEntry* oldA = find(a->flip)) oldA->flip = oldA->id;
    if (annotate::ClassEntry* oldB = find(b->flip)) oldB->flip = oldB->id;
    a->flip = partner;
    b->flip = id;
    return commit(std::move(entries), doc_->order(), tr("Set flip partner"));
}

bool LabelClassPanel::applyPreset(annotate::ClassPreset preset) {
    const annotate::ClassTable& t = annotate::presetTable(preset);
    return commit(t.entries(), {}, tr("Use preset %1").arg(QString::fromStdString(annotate::presetName(preset))));
}

}  // namespace synthforge::widgets
