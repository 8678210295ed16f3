#include "widgets/runs/verification_view.h"

#include <stdexcept>
#include <vector>

#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QPixmap>
#include <QTableWidget>
#include <QVBoxLayout>

#include "core/fr/fr_results_table.h"

namespace synthforge::widgets {

VerificationView::VerificationView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    error_ = new QLabel(this);
    error_->setStyleSheet(QStringLiteral("color: #b00020"));
    error_->setWordWrap(true);
    error_->hide();
    table_ = new QTableWidget(this);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    roc_ = new QLabel(this);
    roc_->setAlignment(Qt::AlignCenter);
    layout->addWidget(error_);
    layout->addWidget(new QLabel(tr("Verification accuracy (10-fold) per benchmark; runs that share a name are averaged."), this));
    layout->addWidget(table_, 1);
    layout->addWidget(roc_, 2);
}

void VerificationView::setRuns(const QStringList& runDirs) {
    std::vector<std::string> labels;
    std::vector<fr::FrEvalSummary> evals;
    QStringList errors;
    QString rocFile;
    for (const QString& d : runDirs) {
        try {
            evals.push_back(fr::loadFrEval(d.toStdString()));
            labels.push_back(QFileInfo(d).fileName().toStdString());
            if (rocFile.isEmpty() && QFileInfo::exists(QDir(d).filePath(QStringLiteral("roc.png"))))
                rocFile = QDir(d).filePath(QStringLiteral("roc.png"));
        } catch (const std::exception& e) {
            errors << QString::fromUtf8(e.what());
        }
    }
    error_->setText(errors.join(QLatin1Char('\n')));
    error_->setVisible(!errors.isEmpty());
    table_->clear();
    table_->setRowCount(0);
    table_->setColumnCount(0);
    if (!evals.empty()) {
        const fr::FrResultsTable t = fr::frResultsTable(labels, evals);
        table_->setRowCount(static_cast<int>(t.rows.size()));
        table_->setColumnCount(static_cast<int>(t.columns.size()));
        QStringList rows, cols;
        for (const auto& r : t.rows) rows << QString::fromStdString(r);
        for (const auto& c : t.columns) cols << QString::fromStdString(c);
        table_->setVerticalHeaderLabels(rows);
        table_->setHorizontalHeaderLabels(cols);
        for (std::size_t r = 0; r < t.rows.size(); ++r)
            for (std::size_t c = 0; c < t.columns.size(); ++c) {
                const fr::FrTableCell& x = t.cells[r][c];
                const QString text = x.runs == 0   ? QStringLiteral("–")
                                     : x.runs == 1 ? QString::number(x.mean, 'f', 4)
                                                   : QStringLiteral("%1 ± %2 (n=%3)")
                                                         .arg(x.mean, 0, 'f', 4)
                                                         .arg(x.std, 0, 'f', 4)
                                                         .arg(x.runs);
                table_->setItem(static_cast<int>(r), static_cast<int>(c), new QTableWidgetItem(text));
            }
    }
    QPixmap pix;
    if (!rocFile.isEmpty()) pix.load(rocFile);
    roc_->setPixmap(pix);
    roc_->setText(pix.isNull() ? tr("No ROC plot (roc.png) in the selected runs.") : QString());
}

QString VerificationView::errorText() const { return error_->isHidden() ? QString() : error_->text(); }

bool VerificationView::showsRoc() const { return !roc_->pixmap().isNull(); }

}  // namespace synthforge::widgets
