#include "widgets/dataset/translation_compare.h"

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <QCheckBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPixmap>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>
#include <opencv2/imgproc.hpp>
#include <nlohmann/json.hpp>

#include "core/annotate/overlays.h"
#include "core/dataset/dataset_manifest.h"
#include "core/dataset/image_files.h"
#include "core/dataset/sample_paths.h"
#include "core/dataset/stored_sample.h"
#include "core/io/file_util.h"
#include "widgets/mat_image.h"

namespace synthforge::widgets {

namespace fs = std::filesystem;

cv::Mat composeBeforeAfter(const cv::Mat& before, const cv::Mat& after, double split) {
    if (before.type() != CV_8UC3 || after.type() != CV_8UC3 || before.size() != after.size() || before.empty())
        throw std::invalid_argument("composeBeforeAfter: two 8-bit BGR images of one size");
    const double s = std::clamp(split, 0.0, 1.0);
    const int x = static_cast<int>(std::lround(s * before.cols));
    cv::Mat out = after.clone();
    if (x > 0) before.colRange(0, x).copyTo(out.colRange(0, x));
    if (x > 0 && x < out.cols) {
        // The divider straddles the split: one column each side.
        out.colRange(std::max(0, x - 1), std::min(out.cols, x + 1)).setTo(cv::Scalar(235, 235, 235));
    }
    return out;
}

TranslationCompare::TranslationCompare(QWidget* parent) : QWidget(parent) {
    auto* box = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    open_ = new QPushButton(tr("Open translation…"), this);
    open_->setToolTip(tr("A dataset written by synthforge transfer apply; its source opens with it"));
    path_ = new QLabel(tr("No translation open"), this);
    path_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    showLandmarks_ = new QCheckBox(tr("Landmarks"), this);
    showLandmarks_->setChecked(true);
    showLandmarks_->setToolTip(tr("The annotation's exact landmarks, drawn over both sides"));
    auto* splitLabel = new QLabel(tr("Source | translation"), this);
    split_ = new QSlider(Qt::Horizontal, this);
    split_->setRange(0, 100);
    split_->setValue(50);
    split_->setToolTip(tr("Where the source render gives way to its translation"));
    split_->setMinimumWidth(160);
    bar->addWidget(open_);
    bar->addWidget(path_, 1);
    bar->addWidget(showLandmarks_);
    showPredicted_ = new QCheckBox(tr("Predicted"), this);
    showPredicted_->setChecked(true);
    showPredicted_->setToolTip(tr("The Stage I run's landmarks on the translation (from transfer eval), as magenta "
                                  "crosses on the translated side: where they leave the annotation's dots, the "
                                  "translator moved the face"));
    bar->addWidget(showPredicted_);
    bar->addWidget(splitLabel);
    bar->addWidget(split_);
    box->addLayout(bar);
    auto* body = new QHBoxLayout;
    list_ = new QListWidget(this);
    list_->setMaximumWidth(260);
    picture_ = new QLabel(this);
    picture_->setAlignment(Qt::AlignCenter);
    picture_->setMinimumSize(256, 256);
    picture_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    body->addWidget(list_);
    body->addWidget(picture_, 1);
    box->addLayout(body, 1);
    caption_ = new QLabel(this);
    caption_->setWordWrap(true);
    caption_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->addWidget(caption_);

    connect(open_, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Open a translated dataset"));
        if (!d.isEmpty()) openTranslation(d);
    });
    connect(list_, &QListWidget::currentRowChanged, this, &TranslationCompare::loadRow);
    connect(split_, &QSlider::valueChanged, this, &TranslationCompare::redraw);
    connect(showLandmarks_, &QCheckBox::toggled, this, &TranslationCompare::redraw);
    connect(showPredicted_, &QCheckBox::toggled, this, &TranslationCompare::redraw);
}

bool TranslationCompare::openTranslation(const QString& translatedDir) {
    const std::string dir = translatedDir.toStdString();
    std::string source;
    std::vector<std::string> names;
    std::unique_ptr<transfer::TransferEvalSummary> report;
    try {
        dataset::readDatasetManifest(dir);  // a dataset at all, with its errors
        const nlohmann::json m =
            nlohmann::json::parse(io::readFileText(dataset::manifestPath(dir), dataset::kMaxManifestBytes));
        if (!m.contains("transfer") || !m["transfer"].is_object() || !m["transfer"].contains("source") ||
            !m["transfer"]["source"].is_string())
            throw std::runtime_error(dataset::manifestPath(dir) +
                                     ": transfer.source: missing (not written by synthforge transfer apply)");
        source = m["transfer"]["source"].get<std::string>();
        dataset::readDatasetManifest(source);
        names = dataset::listCompleteSamples(dir);
        const std::vector<std::string> sourceNames = dataset::listCompleteSamples(source);
        for (const std::string& n : names)
            if (!std::binary_search(sourceNames.begin(), sourceNames.end(), n))
                throw std::runtime_error(source + ": has no sample " + n + " (the source changed since the translation)");
        const fs::path reportPath = fs::path(dir) / "transfer_eval.json";
        std::error_code ec;
        if (fs::exists(reportPath, ec))
            report = std::make_unique<transfer::TransferEvalSummary>(transfer::loadTransferEval(reportPath.string()));
    } catch (const std::exception& e) {
        emit errorReported(tr("Cannot open the translation"), QString::fromStdString(e.what()));
        return false;
    }
    translated_ = translatedDir;
    source_ = QString::fromStdString(source);
    names_ = std::move(names);
    report_ = std::move(report);
    path_->setText(tr("%1  ←  %2").arg(translated_, source_));
    list_->blockSignals(true);
    list_->clear();
    for (int i = 0; i < static_cast<int>(names_.size()); ++i) {
        auto* item = new QListWidgetItem(itemText(i), list_);
        if (report_ && report_->drifted.count(names_[static_cast<std::size_t>(i)])) item->setForeground(QColor(200, 40, 40));
    }
    list_->blockSignals(false);
    row_ = -1;
    if (!names_.empty()) setCurrentRow(0);
    return true;
}

int TranslationCompare::sampleCount() const { return static_cast<int>(names_.size()); }

QString TranslationCompare::itemText(int row) const {
    if (row < 0 || row >= sampleCount()) return {};
    const std::string& n = names_[static_cast<std::size_t>(row)];
    QString t = QString::fromStdString(n);
    if (report_) {
        const auto it = report_->nmeIncrease.find(n);
        if (it != report_->nmeIncrease.end() && std::isfinite(it->second))
            t += QStringLiteral("  ΔNME %1%2").arg(it->second >= 0 ? "+" : "").arg(it->second, 0, 'f', 3);
        if (report_->drifted.count(n)) t += tr("  drifted");
    }
    return t;
}

void TranslationCompare::setCurrentRow(int row) {
    if (row < 0 || row >= sampleCount()) return;
    list_->setCurrentRow(row);  // loads through currentRowChanged
    if (row_ != row) loadRow(row);
}

void TranslationCompare::loadRow(int row) {
    if (row < 0 || row >= sampleCount() || row == row_) return;
    const std::string& n = names_[static_cast<std::size_t>(row)];
    try {
        dataset::StoredSampleRead what;
        what.segmentation = what.depth = what.normals = false;
        const dataset::StoredSample s = dataset::readStoredSample(source_.toStdString(), n, what);
        cv::Mat after = dataset::readBgrImage(dataset::samplePaths(translated_.toStdString(), n).image);
        if (after.size() != s.image.size())
            throw std::runtime_error(dataset::samplePaths(translated_.toStdString(), n).image +
                                     ": another size than the source image");
        before_ = s.image;
        after_ = after;
        landmarks_ = cv::Mat(static_cast<int>(s.landmarks.rows()), 2, CV_32F);
        for (int i = 0; i < landmarks_.rows; ++i) {
            landmarks_.at<float>(i, 0) = s.landmarks(i, 0);
            landmarks_.at<float>(i, 1) = s.landmarks(i, 1);
        }
        visible_ = s.visible;
    } catch (const std::exception& e) {
        emit errorReported(tr("Cannot show sample %1").arg(QString::fromStdString(n)), QString::fromStdString(e.what()));
        return;
    }
    row_ = row;
    redraw();
}

int TranslationCompare::displayScale() const {
    return before_.empty() ? 1 : std::max(1, (kMinDisplaySide + before_.cols - 1) / before_.cols);
}

void TranslationCompare::setSplit(double split) { split_->setValue(static_cast<int>(std::lround(std::clamp(split, 0.0, 1.0) * 100))); }
double TranslationCompare::split() const { return split_->value() / 100.0; }
void TranslationCompare::setLandmarksShown(bool on) { showLandmarks_->setChecked(on); }
void TranslationCompare::setPredictedShown(bool on) { showPredicted_->setChecked(on); }

const std::vector<float>* TranslationCompare::predictedLandmarks() const {
    if (!report_ || row_ < 0) return nullptr;
    const auto it = report_->translatedLandmarks.find(names_[static_cast<std::size_t>(row_)]);
    return it == report_->translatedLandmarks.end() ? nullptr : &it->second;
}

QString TranslationCompare::caption() const {
    if (row_ < 0) return {};
    const std::string& n = names_[static_cast<std::size_t>(row_)];
    QString c = tr("Sample %1: source left of the divider, translation right; the landmarks are the annotation's.")
                    .arg(QString::fromStdString(n));
    if (!report_) return c + tr(" Run synthforge transfer eval on this translation for drift and identity figures.");
    if (report_->hasStructure) {
        const auto it = report_->nmeIncrease.find(n);
        if (it != report_->nmeIncrease.end() && std::isfinite(it->second))
            c += tr(" NME change %1%2 (drift above %3)")
                     .arg(it->second >= 0 ? "+" : "")
                     .arg(it->second, 0, 'f', 3)
                     .arg(report_->maxNmeIncrease, 0, 'f', 3);
        c += tr("; dataset NME %1 → %2.").arg(report_->sourceNme, 0, 'f', 4).arg(report_->translatedNme, 0, 'f', 4);
        if (predictedLandmarks()) c += tr(" Crosses: the Stage I run's landmarks on the translation.");
    }
    if (report_->hasIdentity) {
        c += tr(" Identity cosine source–translation");
        const auto own = report_->identityPerSample.find(n);
        if (own != report_->identityPerSample.end() && std::isfinite(own->second))
            c += tr(" %1 here,").arg(own->second, 0, 'f', 3);
        c += tr(" %1 over all samples").arg(report_->identityCosine, 0, 'f', 3);
        if (std::isfinite(report_->sameIdentity)) c += tr(", same identity %1").arg(report_->sameIdentity, 0, 'f', 3);
        if (std::isfinite(report_->differentIdentity))
            c += tr(", different identities %1").arg(report_->differentIdentity, 0, 'f', 3);
        c += QLatin1Char('.');
    }
    return c;
}

void TranslationCompare::redraw() {
    if (before_.empty()) return;
    // Small renders are enlarged by whole pixels first, so that the divider
    // and the landmark dots are drawn at screen size, not 64-pixel size.
    const int k = displayScale();
    cv::Mat before = before_, after = after_;
    if (k > 1) {
        cv::resize(before_, before, {}, k, k, cv::INTER_NEAREST);
        cv::resize(after_, after, {}, k, k, cv::INTER_NEAREST);
    }
    composed_ = composeBeforeAfter(before, after, split());
    if (showLandmarks_->isChecked() && !landmarks_.empty()) {
        Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> points =
            Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor>>(landmarks_.ptr<float>(),
                                                                                       landmarks_.rows, 2) *
            static_cast<float>(k);
        composed_ = annotate::drawLandmarks(composed_, points, visible_);
    }
    if (const std::vector<float>* predicted = predictedLandmarks(); predicted && showPredicted_->isChecked())
        drawPredictedLandmarks(composed_, *predicted, static_cast<float>(k), split());
    const bool upscale = picture_->width() > composed_.cols * 2;
    picture_->setPixmap(QPixmap::fromImage(toQImage(composed_))
                            .scaled(picture_->size(), Qt::KeepAspectRatio,
                                    upscale ? Qt::FastTransformation : Qt::SmoothTransformation));
    caption_->setText(caption());
}

void drawPredictedLandmarks(cv::Mat& bgr, const std::vector<float>& xy, float scale, double split) {
    // Only over the translation (right of the divider): they were predicted there.
    const int divider = static_cast<int>(std::lround(std::clamp(split, 0.0, 1.0) * bgr.cols));
    const int size = std::max(5, bgr.cols / 90);
    for (std::size_t j = 0; j + 1 < xy.size(); j += 2) {
        const cv::Point p(static_cast<int>(std::lround(xy[j] * scale)), static_cast<int>(std::lround(xy[j + 1] * scale)));
        if (p.x < divider) continue;
        cv::drawMarker(bgr, p, cv::Scalar(255, 0, 255), cv::MARKER_TILTED_CROSS, size, 1, cv::LINE_AA);
    }
}

void TranslationCompare::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    redraw();
}

}  // namespace synthforge::widgets
