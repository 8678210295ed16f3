#pragma once
// The label editor's class list and its edits: add a class, rename (in
// place), recolour, move up/down (display order only: ids never change, so
// maps keep their meaning), set flip partners, and switch to a preset table
// (the default FaceSynthetics table or SynthForge's 20 classes). Every edit is
// one undo step on the document's stack. An edit the table refuses (a
// duplicate name, a preset lacking ids the map uses) changes nothing and is
// reported through `error`.

#include <QWidget>

#include "core/annotate/class_presets.h"

class QComboBox;
class QTableView;

namespace synthforge::widgets {

class LabelEditDocument;
class LabelClassTableModel;

class LabelClassPanel : public QWidget {
    Q_OBJECT
public:
    explicit LabelClassPanel(LabelEditDocument* doc, QWidget* parent = nullptr);

    /// Highlights the class (the brush's class); no signal.
    void setCurrentClass(int id);
    int currentClass() const { return current_; }
    LabelClassTableModel* model() const { return model_; }
    QTableView* view() const { return view_; }

    /// The edits (the buttons call these; tests too). Each returns whether
    /// the table changed.
    bool addClass(const QString& name, const QColor& color);
    bool renameClass(int id, const QString& name);
    bool recolorClass(int id, const QColor& color);
    bool moveClass(int id, int delta);  ///< in the display order
    /// Makes `partner` the flip partner of `id` (and vice versa); their old
    /// partners become their own. partner == id clears the pairing.
    bool setFlipPartner(int id, int partner);
    bool applyPreset(annotate::ClassPreset preset);

signals:
    void classSelected(int id);
    void error(const QString& title, const QString& message);

private:
    bool commit(std::vector<annotate::ClassEntry> entries, std::vector<int> order, const QString& text);
    void updateFlipCombo();
    void chooseColor();

    LabelEditDocument* doc_;
    LabelClassTableModel* model_;
    QTableView* view_;
    QComboBox* flip_;
    QComboBox* preset_;
    int current_ = -1;
    bool syncing_ = false;
};

}  // namespace synthforge::widgets
