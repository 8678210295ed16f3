#pragma once
// Asks the user what to do with the colours of an imported colour-coded map
// that matched no class (labelmap::importColorMap's report): one row per
// unmatched colour (swatch, RGB, pixel count, where it first occurs) with a
// class combo each, preset to the nearest class, plus a fallback class for
// unmatched pixels of colours not listed. The answer goes to
// labelmap::assignUnmatched.

#include <optional>
#include <utility>
#include <vector>

#include <QDialog>

#include "core/annotate/class_table.h"
#include "core/labelmap/color_import.h"

class QComboBox;
class QLabel;

namespace synthforge::widgets {

class LabelColorImportDialog : public QDialog {
    Q_OBJECT
public:
    LabelColorImportDialog(const labelmap::ColorImport& import, const annotate::ClassTable& classes,
                           QWidget* parent = nullptr);

    /// The summary line ("1 234 of 65 536 pixels (1.9 %) matched no class ...").
    QString summary() const;
    int rowCount() const { return static_cast<int>(combos_.size()); }
    /// The class combo of unmatched colour `row` (most frequent first).
    QComboBox* classCombo(int row) const { return combos_[static_cast<std::size_t>(row)]; }
    QComboBox* fallbackCombo() const { return fallback_; }
    /// The user's answer, for labelmap::assignUnmatched.
    std::vector<std::pair<labelmap::Rgb, int>> assignments() const;
    std::optional<int> fallback() const;

private:
    std::vector<labelmap::Rgb> colors_;
    std::vector<QComboBox*> combos_;
    QComboBox* fallback_;
    QLabel* summary_;
};

/// The class whose colour is nearest (CIE76) to `rgb`.
int nearestClass(const labelmap::Rgb& rgb, const annotate::ClassTable& classes);

}  // namespace synthforge::widgets
