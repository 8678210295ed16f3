#pragma once
// The studio's Compare tab: a translated dataset (`transfer apply`'s output)
// against its source, sample by sample. The picture is split by a slider:
// the source render left of the divider, its translation right of it, with
// the *exact* landmarks of the (shared) annotation drawn over both, so a
// translator that moved a mouth or an eye shows it at once. When the
// translation holds `transfer eval`'s report (transfer_eval.json), each
// sample lists its NME change and drifted samples are marked, the Stage I
// run's own landmarks on the translation are drawn as crosses over its
// half (so drift shows against the annotation's dots), and the caption
// carries the identity figures.

#include <memory>
#include <vector>

#include <QString>
#include <QWidget>
#include <opencv2/core/mat.hpp>

#include "core/transfer/transfer_eval_report.h"

class QCheckBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSlider;

namespace synthforge::widgets {

/// Columns [0, split x width) of `before`, the rest of `after`, and a
/// two-pixel light divider at the split (none at 0 or 1). Both 8-bit BGR of
/// one size (std::invalid_argument otherwise); split clamped to [0, 1].
cv::Mat composeBeforeAfter(const cv::Mat& before, const cv::Mat& after, double split);

/// Magenta crosses at `xy` (x0, y0, ... in image pixels, times `scale`) on
/// the translated part of a composed picture: right of the divider at `split`.
void drawPredictedLandmarks(cv::Mat& bgr, const std::vector<float>& xy, float scale, double split);

class TranslationCompare : public QWidget {
    Q_OBJECT
public:
    explicit TranslationCompare(QWidget* parent = nullptr);

    /// Opens a translated dataset; its manifest's transfer.source names the
    /// source. Emits errorReported and returns false (keeping what was open)
    /// for a folder that is not a translation, a source that is gone, or
    /// sample lists that differ.
    bool openTranslation(const QString& translatedDir);
    QString translatedDir() const { return translated_; }
    QString sourceDir() const { return source_; }
    int sampleCount() const;
    int currentRow() const { return row_; }
    void setCurrentRow(int row);
    /// 0 = all translation, 1 = all source.
    void setSplit(double split);
    double split() const;
    void setLandmarksShown(bool on);
    void setPredictedShown(bool on);
    /// The report's predicted landmarks on the current sample's translation
    /// (x0, y0, ... in its pixels), or null when the report has none.
    const std::vector<float>* predictedLandmarks() const;
    /// The picture as shown (before the label scales it), BGR: the images
    /// enlarged by displayScale() (nearest neighbour), split, landmarks on top.
    cv::Mat composed() const { return composed_; }
    /// Whole-pixel enlargement of images narrower than kMinDisplaySide.
    int displayScale() const;
    static constexpr int kMinDisplaySide = 384;
    QString caption() const;
    /// The list entry of `row` as shown ("000001  ΔNME +0.090  drifted").
    QString itemText(int row) const;
    bool hasReport() const { return report_ != nullptr; }

signals:
    void errorReported(const QString& title, const QString& message);

protected:
    void resizeEvent(QResizeEvent* e) override;

private:
    void loadRow(int row);
    void redraw();

    QString translated_, source_;
    std::vector<std::string> names_;
    std::unique_ptr<transfer::TransferEvalSummary> report_;
    int row_ = -1;
    cv::Mat before_, after_, composed_;
    cv::Mat landmarks_;  ///< N x 2 float, pixels
    std::vector<std::uint8_t> visible_;

    QPushButton* open_;
    QLabel* path_;
    QCheckBox* showLandmarks_;
    QCheckBox* showPredicted_;
    QSlider* split_;
    QListWidget* list_;
    QLabel* picture_;
    QLabel* caption_;
};

}  // namespace synthforge::widgets
