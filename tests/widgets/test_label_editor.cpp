// The label editor's widgets (widgets/label_*): strokes through the view's
// mouse events paint exactly the engine's texels at two zoom levels, the
// brush size keys and wheel, the eyedropper, undo/redo through the
// QUndoStack, class edits that keep ids, number keys, save/load, refused
// loads that keep the map, colour import with unmatched colours, autosave and
// restore. Runs under QT_QPA_PLATFORM=offscreen.

#include <algorithm>
#include <set>

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>
#include <QWheelEvent>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/annotate/class_table.h"
#include "core/labelmap/brush.h"
#include "core/labelmap/label_file.h"
#include "widgets/label_editor/label_autosave.h"
#include "widgets/label_editor/label_canvas_view.h"
#include "widgets/label_editor/label_class_panel.h"
#include "widgets/label_editor/label_color_import_dialog.h"
#include "widgets/label_editor/label_edit_document.h"
#include "widgets/label_editor/label_editor_dock.h"
#include "widgets/label_editor/label_file_actions.h"

using namespace synthforge;
using namespace synthforge::widgets;

namespace {

/// A map with a few class regions: skin, a nose block and a hair band.
cv::Mat sampleMap(int n) {
    cv::Mat ids(n, n, CV_8UC1, cv::Scalar(annotate::kSkin));
    ids(cv::Rect(n / 4, n / 4, n / 4, n / 4)).setTo(annotate::kNose);
    ids(cv::Rect(0, 0, n, n / 8)).setTo(annotate::kHair);
    return ids;
}

std::set<std::pair<int, int>> changedTexels(const cv::Mat& before, const cv::Mat& after) {
    std::set<std::pair<int, int>> out;
    for (int y = 0; y < before.rows; ++y)
        for (int x = 0; x < before.cols; ++x)
            if (before.at<std::uint8_t>(y, x) != after.at<std::uint8_t>(y, x)) out.insert({x, y});
    return out;
}

bool sameMat(const cv::Mat& a, const cv::Mat& b) {
    return a.size() == b.size() && a.type() == b.type() && cv::countNonZero(a != b) == 0;
}

void sendWheel(QWidget* w, QPoint at, int delta, Qt::KeyboardModifiers mods) {
    QWheelEvent e(QPointF(at), w->mapToGlobal(QPointF(at)), QPoint(), QPoint(0, delta), Qt::NoButton, mods,
                  Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &e);
}

/// A dock on a 64² (or n²) sample map, dialogs off, autosave into `dir`.
std::unique_ptr<LabelEditorDock> makeDock(const QTemporaryDir& dir, int n = 64) {
    auto dock = std::make_unique<LabelEditorDock>(nullptr);
    dock->setErrorDialogsEnabled(false);
    dock->setUnsavedRecoveryPath(dir.filePath(QStringLiteral("unsaved.png.recovery")));
    dock->setLabelMap(std::make_shared<annotate::UvLabelMap>(sampleMap(n), annotate::ClassTable::defaultTable(), "t"));
    dock->resize(900, 700);
    return dock;
}

}  // namespace

class TestLabelEditor : public QObject {
    Q_OBJECT
private slots:
    void clickPaintsTheBrushFootprintAtTwoZooms() {
        for (const auto& [zoom, diameter, n] : {std::tuple{4.0, 5, 64}, std::tuple{0.5, 8, 256}}) {
            LabelEditDocument doc;
            doc.reset(labelmap::LabelCanvas(n, annotate::kSkin), annotate::ClassTable::defaultTable());
            LabelCanvasView view(&doc);
            view.resize(400, 400);
            view.setView(zoom, QPointF(13, 7));
            view.setBrushSize(diameter);
            view.setCurrentClass(annotate::kNose);
            const cv::Mat before = doc.canvas().toMat();
            const QPoint at(101, 87);
            QTest::mouseClick(&view, Qt::LeftButton, {}, at);
            const Eigen::Vector2f p = view.toTexel(QPointF(at));
            QCOMPARE(p.x(), static_cast<float>((101 - 13) / zoom));
            std::set<std::pair<int, int>> expected;
            for (const labelmap::Texel& t : labelmap::brushTexels(p, diameter))
                if (doc.canvas().contains(t.x, t.y)) expected.insert({t.x, t.y});
            QCOMPARE(changedTexels(before, doc.canvas().toMat()), expected);
            QCOMPARE(doc.undoStack()->count(), 1);
        }
    }

    void dragMatchesTheEngineStroke() {
        for (const double zoom : {3.0, 0.75}) {
            LabelEditDocument doc;
            doc.reset(labelmap::LabelCanvas::fromMat(sampleMap(128)), annotate::ClassTable::defaultTable());
            LabelCanvasView view(&doc);
            view.resize(400, 400);
            view.setView(zoom, QPointF(-20, 5));
            view.setBrushSize(7);
            view.setCurrentClass(annotate::kLeftBrow);
            const std::vector<QPoint> path{{40, 50}, {60, 55}, {90, 80}, {95, 120}};
            labelmap::LabelCanvas ref = labelmap::LabelCanvas::fromMat(sampleMap(128));
            std::vector<Eigen::Vector2f> pts;
            for (const QPoint& q : path) pts.push_back(view.toTexel(QPointF(q)));
            pts.push_back(pts.back());  // the release repeats the last point
            labelmap::paintStroke(ref, pts, 7, annotate::kLeftBrow);

            QTest::mousePress(&view, Qt::LeftButton, {}, path[0]);
            for (std::size_t i = 1; i < path.size(); ++i) QTest::mouseMove(&view, path[i]);
            QTest::mouseRelease(&view, Qt::LeftButton, {}, path.back());
            QVERIFY(sameMat(doc.canvas().toMat(), ref.toMat()));
            QCOMPARE(doc.undoStack()->count(), 1);  // one drag, one undo step
        }
    }

    void sizeKeysAndModifierWheel() {
        LabelEditDocument doc;
        doc.reset(labelmap::LabelCanvas(64, 1), annotate::ClassTable::defaultTable());
        LabelCanvasView view(&doc);
        view.resize(300, 300);
        view.setBrushSize(9);
        QSignalSpy spy(&view, &LabelCanvasView::brushSizeChanged);
        QTest::keyClick(&view, Qt::Key_BracketRight);
        QCOMPARE(view.brushSize(), 10);
        QTest::keyClick(&view, Qt::Key_BracketRight);
        QCOMPARE(view.brushSize(), 11);  // 10 % steps from 10 on
        QTest::keyClick(&view, Qt::Key_BracketLeft);
        QTest::keyClick(&view, Qt::Key_BracketLeft);
        QCOMPARE(view.brushSize(), 9);
        QCOMPARE(spy.count(), 4);
        const double zoom = view.zoom();
        sendWheel(&view, QPoint(100, 100), 120, Qt::ShiftModifier);
        QCOMPARE(view.brushSize(), 10);
        sendWheel(&view, QPoint(100, 100), -240, Qt::ShiftModifier);
        QCOMPARE(view.brushSize(), 8);
        QCOMPARE(view.zoom(), zoom);  // Shift + wheel sizes, it does not zoom
        // A Shift + wheel that the platform turned horizontal sizes too.
        QWheelEvent sideways(QPointF(100, 100), view.mapToGlobal(QPointF(100, 100)), QPoint(), QPoint(120, 0),
                             Qt::NoButton, Qt::ShiftModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(&view, &sideways);
        QCOMPARE(view.brushSize(), 9);
        view.setBrushSize(8);
        // Ctrl + wheel zooms, as in labelme; the size stays.
        sendWheel(&view, QPoint(100, 100), 120, Qt::ControlModifier);
        QVERIFY(view.zoom() > zoom);
        QCOMPARE(view.brushSize(), 8);
        sendWheel(&view, QPoint(100, 100), -120, Qt::ControlModifier);
        QVERIFY(std::abs(view.zoom() - zoom) < 1e-9);
        // Clamped to 1..200.
        view.setBrushSize(1);
        QTest::keyClick(&view, Qt::Key_BracketLeft);
        QCOMPARE(view.brushSize(), 1);
        view.setBrushSize(195);
        QTest::keyClick(&view, Qt::Key_BracketRight);
        QCOMPARE(view.brushSize(), 200);
        // The plain wheel zooms about the cursor: the texel under it stays put.
        const QPoint at(120, 80);
        const Eigen::Vector2f under = view.toTexel(QPointF(at));
        sendWheel(&view, at, 120, Qt::NoModifier);
        QVERIFY(view.zoom() > zoom);
        QVERIFY((view.toTexel(QPointF(at)) - under).norm() < 1e-3f);
        // Ctrl+0 fits again.
        QTest::keyClick(&view, Qt::Key_0, Qt::ControlModifier);
        QCOMPARE(view.zoom(), 300.0 / 64);
    }

    void eyedropperPicks() {
        LabelEditDocument doc;
        doc.reset(labelmap::LabelCanvas::fromMat(sampleMap(64)), annotate::ClassTable::defaultTable());
        LabelCanvasView view(&doc);
        view.resize(300, 300);
        view.setView(4, QPointF(0, 0));
        view.setTool(LabelTool::Eyedropper);
        QSignalSpy spy(&view, &LabelCanvasView::classPicked);
        const cv::Mat before = doc.canvas().toMat();
        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(20 * 4 + 2, 20 * 4 + 2));  // texel (20, 20): nose
        QCOMPARE(view.currentClass(), static_cast<int>(annotate::kNose));
        QCOMPARE(spy.count(), 1);
        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(10, 10));  // texel (2, 2): hair
        QCOMPARE(view.currentClass(), static_cast<int>(annotate::kHair));
        QVERIFY(sameMat(before, doc.canvas().toMat()));  // picking paints nothing
        QCOMPARE(doc.undoStack()->count(), 0);
    }

    void undoRedoRoundTripExactly() {
        QTemporaryDir dir;
        auto dock = makeDock(dir, 128);
        LabelCanvasView* view = dock->canvasView();
        view->resize(400, 400);
        view->setView(2.5, QPointF(3, 3));
        const cv::Mat original = dock->document()->canvas().toMat();
        std::vector<cv::Mat> states{original};
        view->setCurrentClass(annotate::kBeard);
        QTest::mousePress(view, Qt::LeftButton, {}, QPoint(50, 60));
        QTest::mouseMove(view, QPoint(200, 220));
        QTest::mouseRelease(view, Qt::LeftButton, {}, QPoint(200, 220));
        states.push_back(dock->document()->canvas().toMat());
        view->setTool(LabelTool::Eraser);
        view->setBrushSize(30);
        QTest::mouseClick(view, Qt::LeftButton, {}, QPoint(120, 140));
        states.push_back(dock->document()->canvas().toMat());
        view->setTool(LabelTool::Fill);
        view->setFillMode(LabelFillMode::ClassRegion);
        view->setCurrentClass(annotate::kNeck);
        QTest::mouseClick(view, Qt::LeftButton, {}, QPoint(10, 10));  // the hair band
        states.push_back(dock->document()->canvas().toMat());
        view->setTool(LabelTool::Lasso);
        QTest::mousePress(view, Qt::LeftButton, {}, QPoint(250, 250));
        QTest::mouseMove(view, QPoint(300, 250));
        QTest::mouseMove(view, QPoint(300, 300));
        QTest::mouseRelease(view, Qt::LeftButton, {}, QPoint(250, 300));
        states.push_back(dock->document()->canvas().toMat());
        QUndoStack* undo = dock->undoStack();
        QCOMPARE(undo->count(), 4);
        for (std::size_t i = 1; i < states.size(); ++i) QVERIFY(!sameMat(states[i - 1], states[i]));
        for (int i = 3; i >= 0; --i) {
            undo->undo();
            QVERIFY(sameMat(dock->document()->canvas().toMat(), states[static_cast<std::size_t>(i)]));
        }
        for (int i = 1; i <= 4; ++i) {
            undo->redo();
            QVERIFY(sameMat(dock->document()->canvas().toMat(), states[static_cast<std::size_t>(i)]));
        }
        // The colour picture follows undo too.
        undo->setIndex(0);
        const auto nose = annotate::ClassTable::defaultTable().byId(annotate::kHair).color;
        QCOMPARE(dock->document()->colorImage().pixel(5, 5), qRgb(nose[0], nose[1], nose[2]));
    }

    void classEditsKeepIds() {
        QTemporaryDir dir;
        auto dock = makeDock(dir);
        LabelClassPanel* panel = dock->classPanel();
        LabelEditDocument* doc = dock->document();
        const cv::Mat map = doc->canvas().toMat();
        QVERIFY(panel->renameClass(annotate::kNose, QStringLiteral("snout")));
        QCOMPARE(doc->classes().byId(annotate::kNose).name, std::string("snout"));
        QVERIFY(!doc->classes().findByName("nose"));
        // Move nose to the top of the list: its id stays 2, the map is untouched.
        const int row = static_cast<int>(std::find(doc->order().begin(), doc->order().end(), 2) - doc->order().begin());
        QVERIFY(panel->moveClass(annotate::kNose, -row));
        QCOMPARE(doc->order().front(), static_cast<int>(annotate::kNose));
        QCOMPARE(doc->classes().byId(annotate::kNose).name, std::string("snout"));
        QVERIFY(sameMat(map, doc->canvas().toMat()));
        QVERIFY(panel->recolorClass(annotate::kNose, QColor(1, 2, 3)));
        QCOMPARE(doc->colorImage().pixel(20, 20), qRgb(1, 2, 3));
        // A duplicate name is refused and reported; nothing changes.
        dock->setErrorDialogsEnabled(false);
        QSignalSpy errors(dock.get(), &LabelEditorDock::errorShown);
        QVERIFY(!panel->renameClass(annotate::kNose, QStringLiteral("skin")));
        QCOMPARE(errors.count(), 1);
        QVERIFY(dock->lastError().contains(QStringLiteral("skin")));
        QCOMPARE(doc->classes().byId(annotate::kNose).name, std::string("snout"));
        // Flip partners stay symmetric.
        QVERIFY(panel->setFlipPartner(annotate::kNose, annotate::kBeard));
        QCOMPARE(doc->classes().byId(annotate::kNose).flip, static_cast<int>(annotate::kBeard));
        QCOMPARE(doc->classes().byId(annotate::kBeard).flip, static_cast<int>(annotate::kNose));
        QVERIFY(panel->setFlipPartner(annotate::kRightEye, annotate::kNose));  // unpairs left_eye and beard
        QCOMPARE(doc->classes().byId(annotate::kLeftEye).flip, static_cast<int>(annotate::kLeftEye));
        QCOMPARE(doc->classes().byId(annotate::kBeard).flip, static_cast<int>(annotate::kBeard));
        // Add gets the first free id; each edit is one undo step and undoes exactly.
        QVERIFY(panel->addClass(QStringLiteral("tattoo"), QColor(9, 9, 9)));
        QCOMPARE(doc->classes().byName("tattoo").id, 19);
        QCOMPARE(doc->order().back(), 19);
        const int steps = dock->undoStack()->count();
        QCOMPARE(steps, 6);
        dock->undoStack()->setIndex(0);
        QVERIFY(doc->classes() == annotate::ClassTable::defaultTable());
        QVERIFY(sameMat(map, doc->canvas().toMat()));
        // A preset lacking ids the map uses is refused.
        dock->undoStack()->setIndex(steps);
        QVERIFY(panel->addClass(QStringLiteral("scar"), QColor(8, 8, 8)));  // id 20
        LabelEditDocument* d = doc;
        labelmap::CanvasEdit edit(d->canvas());
        edit.set(1, 60, 20);
        d->pushStroke(edit.commit(), QStringLiteral("dot"));
        QVERIFY(!panel->applyPreset(annotate::ClassPreset::SynthForge));
        QVERIFY(dock->lastError().contains(QStringLiteral("20")));
        QVERIFY(doc->classes().findByName("scar"));
        d->undoStack()->undo();  // the dot
        QVERIFY(panel->applyPreset(annotate::ClassPreset::SynthForge));
        QVERIFY(doc->classes() == annotate::synthforgeTable());
    }

    void numberKeysSelectInListOrder() {
        QTemporaryDir dir;
        auto dock = makeDock(dir);
        LabelCanvasView* view = dock->canvasView();
        const auto& order = dock->document()->order();
        QTest::keyClick(view, Qt::Key_3);
        QCOMPARE(view->currentClass(), order[2]);
        QCOMPARE(dock->classPanel()->currentClass(), order[2]);
        QTest::keyClick(view, Qt::Key_0);
        QCOMPARE(view->currentClass(), order[9]);
        QVERIFY(dock->classPanel()->moveClass(annotate::kHair, -100));  // hair to the top
        QTest::keyClick(view, Qt::Key_1);
        QCOMPARE(view->currentClass(), static_cast<int>(annotate::kHair));
    }

    void saveThenLoadRoundTrips() {
        QTemporaryDir dir;
        auto dock = makeDock(dir);
        LabelFileActions* files = dock->files();
        dock->classPanel()->renameClass(annotate::kNose, QStringLiteral("snout"));
        const QString png = dir.filePath(QStringLiteral("map.png"));
        QVERIFY(files->save(png));
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("map.classes.json"))));
        QVERIFY(!files->modified());
        const cv::Mat saved = dock->document()->canvas().toMat();
        const annotate::ClassTable table = dock->document()->classes();
        dock->canvasView()->setView(1, QPointF(0, 0));
        dock->canvasView()->setCurrentClass(annotate::kGlasses);
        QTest::mouseClick(dock->canvasView(), Qt::LeftButton, {}, QPoint(40, 40));
        QVERIFY(files->modified());
        QVERIFY(files->load(png));
        QVERIFY(sameMat(dock->document()->canvas().toMat(), saved));
        QVERIFY(dock->document()->classes() == table);
        QCOMPARE(dock->undoStack()->count(), 0);
        QCOMPARE(files->documentPath(), png);
        // The colour preview.
        const QString preview = dir.filePath(QStringLiteral("preview.png"));
        QVERIFY(files->exportPreview(preview));
        const cv::Mat rgb = cv::imread(preview.toStdString(), cv::IMREAD_COLOR);
        const auto c = table.byId(annotate::kNose).color;
        QCOMPARE(rgb.at<cv::Vec3b>(20, 20), cv::Vec3b(c[2], c[1], c[0]));
    }

    void badFilesAreRefusedAndTheMapKept() {
        QTemporaryDir dir;
        auto dock = makeDock(dir);
        QSignalSpy errors(dock.get(), &LabelEditorDock::errorShown);
        dock->canvasView()->setView(1, QPointF(0, 0));
        dock->canvasView()->setCurrentClass(annotate::kGlasses);
        QTest::mouseClick(dock->canvasView(), Qt::LeftButton, {}, QPoint(40, 40));
        QCOMPARE(dock->undoStack()->count(), 1);
        const cv::Mat kept = dock->document()->canvas().toMat();
        const int steps = dock->undoStack()->count();
        auto expectRefused = [&](const QString& png, const QString& what) {
            const int before = errors.count();
            QVERIFY(!dock->files()->load(png));
            QCOMPARE(errors.count(), before + 1);
            QVERIFY2(dock->lastError().contains(what), qPrintable(dock->lastError()));
            QVERIFY(sameMat(dock->document()->canvas().toMat(), kept));
            QCOMPARE(dock->undoStack()->count(), steps);
        };
        annotate::saveClassTable(dir.filePath(QStringLiteral("corrupt.classes.json")).toStdString(),
                                 annotate::ClassTable::defaultTable());
        QFile f(dir.filePath(QStringLiteral("corrupt.png")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("\x89PNG\r\n\x1a\n garbage that is not a PNG");
        f.close();
        expectRefused(f.fileName(), QStringLiteral("corrupt.png"));
        // Wrong size (32² for a 64² head map).
        const QString small = dir.filePath(QStringLiteral("small.png"));
        labelmap::saveLabelMapFiles(small.toStdString(), LabelFileActions::tablePathFor(small).toStdString(),
                                    labelmap::LabelCanvas(32, 1), annotate::ClassTable::defaultTable());
        expectRefused(small, QStringLiteral("32"));
        // Ids missing from the table.
        const QString ids = dir.filePath(QStringLiteral("ids.png"));
        labelmap::LabelCanvas withIds(64, 1);
        {
            labelmap::CanvasEdit e(withIds);
            e.set(7, 5, 42);
            e.commit();
        }
        cv::imwrite(ids.toStdString(), withIds.toMat());
        annotate::saveClassTable(LabelFileActions::tablePathFor(ids).toStdString(), annotate::ClassTable::defaultTable());
        expectRefused(ids, QStringLiteral("42"));
        // A corrupt table.
        QFile j(LabelFileActions::tablePathFor(small));
        QVERIFY(j.open(QIODevice::WriteOnly | QIODevice::Truncate));
        j.write("{\"format\": ");
        j.close();
        expectRefused(small, QStringLiteral("classes.json"));
        // An RGB image is not a class-id map.
        const QString rgb = dir.filePath(QStringLiteral("rgb.png"));
        cv::imwrite(rgb.toStdString(), cv::Mat(64, 64, CV_8UC3, cv::Scalar(1, 1, 1)));
        annotate::saveClassTable(LabelFileActions::tablePathFor(rgb).toStdString(), annotate::ClassTable::defaultTable());
        expectRefused(rgb, QStringLiteral("rgb.png"));
    }

    void colourImportReportsAndAssignsUnmatched() {
        QTemporaryDir dir;
        auto dock = makeDock(dir);
        const annotate::ClassTable& t = annotate::ClassTable::defaultTable();
        // A colour-coded 64² map: class colours of a new layout plus a patch
        // of a colour far from every class.
        cv::Mat ids(64, 64, CV_8UC1, cv::Scalar(annotate::kSkin));
        ids(cv::Rect(30, 30, 20, 10)).setTo(annotate::kTopLip);
        cv::Mat bgr(64, 64, CV_8UC3);
        const auto colors = t.colorMap();
        for (int y = 0; y < 64; ++y)
            for (int x = 0; x < 64; ++x) {
                const auto& c = colors[ids.at<std::uint8_t>(y, x)];
                bgr.at<cv::Vec3b>(y, x) = cv::Vec3b(c[2], c[1], c[0]);
            }
        const labelmap::Rgb odd = {10, 250, 120};
        QVERIFY(labelmap::deltaE76(odd, t.byId(nearestClass(odd, t)).color) > 20);
        bgr(cv::Rect(5, 40, 6, 4)).setTo(cv::Vec3b(odd[2], odd[1], odd[0]));
        const QString path = dir.filePath(QStringLiteral("colours.png"));
        cv::imwrite(path.toStdString(), bgr);
        const cv::Mat kept = dock->document()->canvas().toMat();

        // Cancelled: the report was made, nothing changes.
        QString summary;
        QVERIFY(!dock->files()->importColorMap(path, [&](labelmap::ColorImport& import) {
            LabelColorImportDialog dialog(import, t);
            summary = dialog.summary();
            return false;
        }));
        QVERIFY2(summary.startsWith(QStringLiteral("24 of 4,096 pixels")) || summary.startsWith(QStringLiteral("24 of 4096")),
                 qPrintable(summary));
        QVERIFY(summary.contains(QStringLiteral("x 5..10, y 40..43")));
        QVERIFY(sameMat(dock->document()->canvas().toMat(), kept));

        // Assigned through the dialog's combo: the patch becomes nose.
        QVERIFY(dock->files()->importColorMap(path, [&](labelmap::ColorImport& import) {
            LabelColorImportDialog dialog(import, t);
            if (dialog.rowCount() != 1) return false;
            QComboBox* combo = dialog.classCombo(0);
            combo->setCurrentIndex(combo->findData(static_cast<int>(annotate::kNose)));
            labelmap::assignUnmatched(import, dialog.assignments(), dialog.fallback(), t);
            return true;
        }));
        cv::Mat expected = ids.clone();
        expected(cv::Rect(5, 40, 6, 4)).setTo(annotate::kNose);
        QVERIFY(sameMat(dock->document()->canvas().toMat(), expected));
        QCOMPARE(dock->undoStack()->count(), 1);
        dock->undoStack()->undo();
        QVERIFY(sameMat(dock->document()->canvas().toMat(), kept));
        // A colour map of the wrong size is refused.
        const QString wrong = dir.filePath(QStringLiteral("wrong.png"));
        cv::imwrite(wrong.toStdString(), cv::Mat(32, 32, CV_8UC3, cv::Scalar(0, 0, 0)));
        QVERIFY(!dock->files()->importColorMap(wrong, {}));
        QVERIFY(dock->lastError().contains(QStringLiteral("32x32")));
    }

    void autosaveWritesAfterIdleAndANewEditorRestores() {
        QTemporaryDir dir;
        const QString recovery = dir.filePath(QStringLiteral("unsaved.png.recovery"));
        cv::Mat painted;
        {
            auto dock = makeDock(dir);
            QCOMPARE(dock->autosave()->recoveryPath(), recovery);
            dock->autosave()->setIdleMs(50);
            QVERIFY(!QFile::exists(recovery));
            QSignalSpy written(dock->autosave(), &LabelAutosave::written);
            dock->canvasView()->setView(1, QPointF(0, 0));
            dock->canvasView()->setCurrentClass(annotate::kGlasses);
            QTest::mouseClick(dock->canvasView(), Qt::LeftButton, {}, QPoint(30, 30));
            QVERIFY(!QFile::exists(recovery));  // not while the user is still busy
            QVERIFY(written.wait(5000));
            QVERIFY(QFile::exists(recovery));
            painted = dock->document()->canvas().toMat();
            // The dock goes away without saving, as after a kill.
        }
        auto fresh = makeDock(dir);  // its setLabelMap found the recovery; dialogs are off
        QVERIFY(fresh->autosave()->available());
        QVERIFY(!sameMat(fresh->document()->canvas().toMat(), painted));
        QString error;
        QVERIFY2(fresh->autosave()->restore(&error), qPrintable(error));
        QVERIFY(sameMat(fresh->document()->canvas().toMat(), painted));
        QVERIFY(fresh->files()->modified());
        // Saving makes the recovery obsolete.
        QVERIFY(fresh->files()->save(dir.filePath(QStringLiteral("saved.png"))));
        QVERIFY(!QFile::exists(recovery));
        QVERIFY(!fresh->autosave()->available());
        // A corrupt recovery file is reported and the map kept.
        QFile bad(fresh->autosave()->recoveryPath());
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("SFLABREC nonsense");
        bad.close();
        const cv::Mat kept = fresh->document()->canvas().toMat();
        QVERIFY(!fresh->autosave()->restore(&error));
        QVERIFY(!error.isEmpty());
        QVERIFY(sameMat(fresh->document()->canvas().toMat(), kept));
    }

    void signalsCarryTheChangedRectangle() {
        QTemporaryDir dir;
        auto dock = makeDock(dir);
        QSignalSpy edited(dock.get(), &LabelEditorDock::labelMapEdited);
        QSignalSpy classes(dock.get(), &LabelEditorDock::classesEdited);
        QSignalSpy replaced(dock.get(), &LabelEditorDock::labelMapReplaced);
        dock->canvasView()->setView(2, QPointF(0, 0));
        dock->canvasView()->setBrushSize(1);
        dock->canvasView()->setCurrentClass(annotate::kGlasses);
        QTest::mouseClick(dock->canvasView(), Qt::LeftButton, {}, QPoint(2 * 50 + 1, 2 * 60 + 1));
        QCOMPARE(edited.count(), 1);
        QCOMPARE(edited.at(0).at(0).toRect(), QRect(50, 60, 1, 1));
        QCOMPARE(dock->labelMap()->original().at<std::uint8_t>(60, 50), static_cast<std::uint8_t>(annotate::kGlasses));
        dock->undoStack()->undo();
        QCOMPARE(edited.count(), 2);
        QCOMPARE(dock->labelMap()->original().at<std::uint8_t>(60, 50), static_cast<std::uint8_t>(annotate::kSkin));
        QVERIFY(dock->classPanel()->recolorClass(annotate::kSkin, QColor(1, 1, 1)));
        QCOMPARE(classes.count(), 1);
        QCOMPARE(edited.count(), 2);  // ids did not change
        QCOMPARE(dock->labelMap()->classes().byId(annotate::kSkin).color[0], 1);
        QCOMPARE(replaced.count(), 0);
        dock->setLabelMap(nullptr);  // a head without a map: skin everywhere
        QCOMPARE(replaced.count(), 1);
        QCOMPARE(dock->document()->canvas().size(), LabelEditorDock::kDefaultMapSize);
    }
};

QTEST_MAIN(TestLabelEditor)
#include "test_label_editor.moc"
