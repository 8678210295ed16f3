#include "core/io/npy.h"

#include "core/io/numpy_typestr.h"
#include "core/io/utf8.h"

#include <zip.h>

#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/io/file_util.h"

// .npy layout (numpy/lib/format.py): "\x93NUMPY", major, minor, a header
// length (u16 for version 1.0, u32 for 2.0 and 3.0), then a Python dict
// literal such as {'descr': '<f8', 'fortran_order': False, 'shape': (3,), }
// padded with spaces and ended by '\n', then the raw data.
//
// Deliberate strictness:
//  * the dict must hold exactly the keys descr, fortran_order and shape (as
//    numpy requires), each once; descr must be a plain type string with an
//    explicit byte order;
//  * the data must be exactly as long as the shape needs: short data is an
//    error (as in numpy) and so are trailing bytes (numpy ignores them; no
//    writer we know produces them, so they indicate a damaged file);
//  * whitespace around the dict is accepted and the final '\n' is not
//    required, since writers other than numpy differ in their padding;
//  * Python 2 style long literals in the shape, "(5023L, 3L)", are accepted
//    because FLAME-era files were written by Python 2 numpy.

namespace synthforge::io {

namespace {

constexpr unsigned char kMagic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr std::size_t kMagicLen = sizeof(kMagic);
constexpr std::size_t kArrayAlign = 64;       // numpy's ARRAY_ALIGN
constexpr std::size_t kGrowthAxisDigits = 21;  // numpy's GROWTH_AXIS_MAX_DIGITS

[[noreturn]] void fail(const std::string& source, const std::string& what) {
    throw std::runtime_error(source + ": " + what);
}

// ---- header dict literal ----------------------------------------------------

struct NpyHeader {
    std::string descr;
    bool fortranOrder = false;
    std::vector<std::int64_t> shape;
};

/// Recursive-descent parser for the one dict shape numpy writes. It accepts
/// only the literal forms below and never evaluates anything.
class HeaderParser {
public:
    HeaderParser(const char* begin, const char* end, const std::string& source)
        : p_(begin), end_(end), source_(source) {}

    NpyHeader parse() {
        NpyHeader h;
        bool seenDescr = false, seenFortran = false, seenShape = false;
        skipSpace();
        expect('{');
        skipSpace();
        while (peek() != '}') {
            const std::string key = parseString();
            skipSpace();
            expect(':');
            skipSpace();
            if (key == "descr") {
                markSeen(seenDescr, key);
                if (peek() == '[') error("structured dtypes (descr given as a list) are not supported");
                h.descr = parseString();
            } else if (key == "fortran_order") {
                markSeen(seenFortran, key);
                h.fortranOrder = parseBool();
            } else if (key == "shape") {
                markSeen(seenShape, key);
                h.shape = parseShape();
            } else {
                error("unexpected key '" + key + "' (expected descr, fortran_order and shape)");
            }
            skipSpace();
            if (peek() == ',') {
                ++p_;
                skipSpace();
            } else if (peek() != '}') {
                error("expected ',' or '}' after the value of '" + key + "'");
            }
        }
        ++p_;  // '}'
        skipSpace();
        if (p_ != end_) error("unexpected text after the closing '}'");
        if (!seenDescr || !seenFortran || !seenShape)
            error(std::string("missing key '") + (!seenDescr ? "descr" : !seenFortran ? "fortran_order" : "shape") +
                  "'");
        return h;
    }

private:
    [[noreturn]] void error(const std::string& what) const {
        fail(source_, "malformed .npy header: " + what);
    }

    char peek() const { return p_ < end_ ? *p_ : '\0'; }

    void skipSpace() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
    }

    void expect(char c) {
        if (p_ == end_ || *p_ != c) error(std::string("expected '") + c + "'");
        ++p_;
    }

    void markSeen(bool& seen, const std::string& key) const {
        if (seen) error("duplicate key '" + key + "'");
        seen = true;
    }

    /// A quoted string without escapes (numpy never writes any).
    std::string parseString() {
        const char quote = peek();
        if (p_ == end_ || (quote != '\'' && quote != '"')) error("expected a quoted string");
        const char* start = ++p_;
        while (p_ < end_ && *p_ != quote) {
            if (*p_ == '\\' || *p_ == '\n') error("unsupported character in a string");
            ++p_;
        }
        if (p_ == end_) error("unterminated string");
        return std::string(start, p_++);
    }

    bool parseBool() {
        if (consumeWord("True")) return true;
        if (consumeWord("False")) return false;
        error("fortran_order must be True or False");
    }

    bool consumeWord(const char* word) {
        const std::size_t n = std::strlen(word);
        if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
        p_ += n;
        return true;
    }

    /// "()", "(3,)", "(2, 3)", "(2, 3,)"; "(3)" is an int in Python, not a tuple.
    std::vector<std::int64_t> parseShape() {
        std::vector<std::int64_t> shape;
        expect('(');
        skipSpace();
        bool trailingComma = false;
        while (peek() != ')') {
            if (p_ == end_) error("unterminated shape tuple");
            shape.push_back(parseDim());
            skipSpace();
            trailingComma = peek() == ',';
            if (trailingComma) {
                ++p_;
                skipSpace();
            } else if (peek() != ')') {
                error("expected ',' or ')' in the shape tuple");
            }
        }
        ++p_;  // ')'
        if (shape.size() == 1 && !trailingComma) error("shape (n) is not a tuple; numpy writes (n,)");
        return shape;
    }

    std::int64_t parseDim() {
        if (peek() == '-') error("negative dimension in shape");
        if (peek() < '0' || peek() > '9') error("shape must hold non-negative integers");
        std::int64_t v = 0;
        while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
            const int digit = *p_ - '0';
            if (v > (std::numeric_limits<std::int64_t>::max() - digit) / 10) error("dimension does not fit 64 bits");
            v = v * 10 + digit;
            ++p_;
        }
        if (peek() == 'L') ++p_;  // Python 2 long literal
        return v;
    }

    const char* p_;
    const char* end_;
    const std::string& source_;
};

// ---- descr ------------------------------------------------------------------

struct Descr {
    bool isObject = false;
    bool bigEndian = false;
    DType dtype = DType::F64;
    int textKind = 0;        ///< 'U' (UTF-32 text) or 'S' (bytes); 0 for numbers
    std::size_t textLen = 0; ///< characters per element
};

Descr parseDescr(const std::string& descr, const std::string& source) {
    const std::optional<NumpyTypestr> t = parseNumpyTypestr(descr);
    // The .npy format always writes a byte order.
    if (!t || t->byteOrder == 0)
        fail(source, "unsupported dtype descr '" + descr +
                         "' (supported: b1 u1 i1 u2 i2 u4 i4 u8 i8 f2 f4 f8 with a byte order, U<n>, S<n> and O)");
    Descr d;
    d.bigEndian = t->bigEndian();
    d.isObject = t->kind == NumpyTypestr::Kind::Object;
    d.dtype = t->dtype;
    d.textKind = t->textKind;
    d.textLen = t->textLen;
    return d;
}

// ---- reading ----------------------------------------------------------------

std::uint32_t readLE(const std::uint8_t* p, std::size_t bytes) {
    std::uint32_t v = 0;
    for (std::size_t i = bytes; i-- > 0;) v = (v << 8) | p[i];
    return v;
}

/// Where the header dict text lies inside the file; the data follows it.
struct HeaderSpan {
    std::size_t begin = 0, length = 0;
    std::size_t dataBegin() const { return begin + length; }
};

/// Validates magic and version and bounds the header length by the file size.
HeaderSpan locateHeader(const std::uint8_t* data, std::size_t size, const std::string& source) {
    if (size < kMagicLen + 2 || std::memcmp(data, kMagic, kMagicLen) != 0)
        fail(source, "not a .npy file (missing \\x93NUMPY magic)");
    const int major = data[6], minor = data[7];
    std::size_t lenBytes = 0;
    if (major == 1 && minor == 0)
        lenBytes = 2;
    else if ((major == 2 || major == 3) && minor == 0)
        lenBytes = 4;
    else
        fail(source, "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor));
    HeaderSpan span;
    span.begin = kMagicLen + 2 + lenBytes;
    if (size < span.begin) fail(source, "file ends inside the .npy header length");
    span.length = readLE(data + kMagicLen + 2, lenBytes);
    if (span.length > size - span.begin)
        fail(source, "header length " + std::to_string(span.length) + " is beyond the end of the " +
                         std::to_string(size) + "-byte file");
    return span;
}

NdArray readNumeric(const Descr& d, const NpyHeader& h, const std::uint8_t* data, std::size_t size,
                    const std::string& source) {
    const std::size_t elemSize = dtypeSize(d.dtype);
    const std::uint64_t needed = checkedElementCount(h.shape, elemSize, source) * elemSize;
    NdArray a;
    a.dtype = d.dtype;
    a.shape = h.shape;
    if (size < needed)
        fail(source, "data holds " + std::to_string(size) + " bytes but shape " + a.shapeString() + " of '" +
                         h.descr + "' needs " + std::to_string(needed));
    if (size > needed)
        fail(source, std::to_string(size - needed) + " unexpected bytes after the array data");
    a.data.assign(data, data + needed);
    if (d.bigEndian) byteSwap(a);
    if (h.fortranOrder) fortranToC(a);
    return a;
}

// ---- writing ----------------------------------------------------------------

std::string descrFor(DType t) { return (dtypeSize(t) == 1 ? "|" : "<") + dtypeName(t); }

std::string pythonTuple(const std::vector<std::int64_t>& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + (shape.size() == 1 ? ",)" : ")");
}

/// Magic, version, length and header text exactly as numpy 1.24 writes them:
/// the dict, room for the first axis to grow to 21 digits, then spaces and a
/// final '\n' so that the data starts at a multiple of 64 bytes.
std::string npyPreamble(const NdArray& a) {
    std::string dict = "{'descr': '" + descrFor(a.dtype) + "', 'fortran_order': False, 'shape': " +
                       pythonTuple(a.shape) + ", }";
    if (!a.shape.empty()) {
        const std::size_t digits = std::to_string(a.shape[0]).size();
        if (digits < kGrowthAxisDigits) dict.append(kGrowthAxisDigits - digits, ' ');
    }
    for (int major : {1, 2}) {
        const std::size_t lenBytes = major == 1 ? 2 : 4;
        const std::size_t prefix = kMagicLen + 2 + lenBytes;
        const std::size_t pad = kArrayAlign - (prefix + dict.size() + 1) % kArrayAlign;  // numpy pads 64 when aligned
        const std::size_t headerLen = dict.size() + pad + 1;
        if (major == 1 && headerLen > 0xffff) continue;  // too long for a u16: numpy falls back to 2.0
        std::string out(reinterpret_cast<const char*>(kMagic), kMagicLen);
        out += static_cast<char>(major);
        out += '\0';
        for (std::size_t i = 0; i < lenBytes; ++i) out += static_cast<char>((headerLen >> (8 * i)) & 0xff);
        out += dict;
        out.append(pad, ' ');
        out += '\n';
        return out;
    }
    throw std::invalid_argument("npy: header too long");
}

// ---- npz ----------------------------------------------------------------------

// Zip-bomb rule for .npz members, checked on the declared sizes before any
// allocation and enforced while reading:
//  * a member may expand to at most kMaxArrayBytes plus 1 MiB (the largest
//    array we accept plus room for its header);
//  * stored members must declare equal compressed and uncompressed sizes, and
//    deflated ones may not claim more than deflate can physically produce
//    (~1032:1), so a tiny member lying about a huge size is refused;
//  * the compressed sizes of all members together may not exceed the archive,
//    which rules out overlapping members that reuse one compressed stream;
//  * we read at most the declared size and fail if the stream holds more.
// A legitimate np.savez_compressed of a huge all-zero array still loads.
constexpr std::uint64_t kMaxMemberBytes = kMaxArrayBytes + (1u << 20);
constexpr std::uint64_t kMaxDeflateRatio = 1032;

struct ZipCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
    void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileCloser>;

std::string zipErrorText(int code) {
    zip_error_t err;
    zip_error_init_with_code(&err, code);
    std::string text = zip_error_strerror(&err);
    zip_error_fini(&err);
    return text;
}

/// Opens read-only and reports the archive size. An empty file is refused
/// here because libzip would accept it as an empty archive.
ZipPtr openZip(const std::string& path, std::uint64_t& archiveSize) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, expected an .npz file");
    archiveSize = std::filesystem::file_size(path, ec);
    if (ec) fail(path, "cannot open (" + ec.message() + ")");
    if (archiveSize == 0) fail(path, "empty file is not a zip archive");
    int code = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &code);
    if (!z) fail(path, "cannot open as a zip archive (" + zipErrorText(code) + ")");
    return ZipPtr(z);
}

/// `compressedBudget`: archive bytes not yet claimed by earlier members.
void checkMemberSizes(const zip_stat_t& st, std::uint64_t compressedBudget, const std::string& source) {
    const zip_uint64_t need = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD;
    if ((st.valid & need) != need) fail(source, "zip entry lacks size or compression information");
    if (st.comp_size > compressedBudget)
        fail(source, "zip members claim more compressed bytes than the archive holds (overlapping members?)");
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
        fail(source, "encrypted zip entries are not supported");
    if (st.size > kMaxMemberBytes)
        fail(source, "member expands to " + std::to_string(st.size) + " bytes, above the limit of " +
                         std::to_string(kMaxMemberBytes));
    if (st.comp_method == ZIP_CM_STORE) {
        if (st.size != st.comp_size)
            fail(source, "stored member declares " + std::to_string(st.size) + " bytes but occupies " +
                             std::to_string(st.comp_size));
    } else if (st.comp_method == ZIP_CM_DEFLATE) {
        if (st.size > st.comp_size * kMaxDeflateRatio + 1024)
            fail(source, "deflated member claims " + std::to_string(st.size) + " bytes from only " +
                             std::to_string(st.comp_size) + " compressed bytes (zip bomb?)");
    } else {
        fail(source, "unsupported zip compression method " + std::to_string(st.comp_method) +
                         " (np.savez writes stored or deflated members)");
    }
}

/// Reads exactly the declared size; libzip verifies the CRC once the stream
/// has been read to its end, which the final one-byte probe ensures.
std::vector<std::uint8_t> readMember(zip_t* z, zip_uint64_t index, const zip_stat_t& st, const std::string& source) {
    ZipFilePtr f(zip_fopen_index(z, index, 0));
    if (!f) fail(source, std::string("cannot open zip member (") + zip_strerror(z) + ")");
    std::vector<std::uint8_t> buf(static_cast<std::size_t>(st.size));
    std::size_t got = 0;
    while (got < buf.size()) {
        const zip_int64_t n = zip_fread(f.get(), buf.data() + got, buf.size() - got);
        if (n < 0) fail(source, std::string("cannot decompress zip member (") + zip_file_strerror(f.get()) + ")");
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    if (got != buf.size())
        fail(source, "zip member ends after " + std::to_string(got) + " of its declared " +
                         std::to_string(buf.size()) + " bytes");
    std::uint8_t probe = 0;
    const zip_int64_t extra = zip_fread(f.get(), &probe, 1);
    if (extra < 0) fail(source, std::string("cannot decompress zip member (") + zip_file_strerror(f.get()) + ")");
    if (extra > 0) fail(source, "zip member holds more data than its declared size");
    return buf;
}

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Fixed-width text arrays become Str (U) or Bytes (S) values: one value for
/// a 0-d array, else a List in C order. Trailing NULs are padding.
PyRef readText(const Descr& d, const NpyHeader& h, const std::uint8_t* data, std::size_t size,
               const std::string& source) {
    const std::size_t unit = d.textKind == 'U' ? 4 : 1;
    const std::size_t itemBytes = unit * d.textLen;
    const std::uint64_t n = checkedElementCount(h.shape, std::max<std::size_t>(itemBytes, 1), source);
    if (itemBytes != 0 && n > size / itemBytes)
        fail(source, "text array data is truncated: " + std::to_string(size) + " bytes for " + std::to_string(n) +
                         " elements of " + std::to_string(itemBytes) + " bytes");
    if (n * itemBytes != size) fail(source, "unexpected bytes after the text array data");
    // Text arrays hold names and flags; a million entries is far beyond any
    // real file and keeps a hostile one from allocating a value per byte.
    constexpr std::uint64_t kMaxTextItems = 1u << 20;
    if (n > kMaxTextItems) fail(source, "text array of " + std::to_string(n) + " elements is too large");
    std::vector<PyRef> items;
    for (std::uint64_t i = 0; i < n; ++i) {
        auto v = std::make_shared<PyValue>();
        v->kind = d.textKind == 'U' ? PyValue::Kind::Str : PyValue::Kind::Bytes;
        const std::uint8_t* p = data + i * itemBytes;
        for (std::size_t c = 0; c < d.textLen; ++c) {
            std::uint32_t cp = 0;
            if (unit == 4) {
                for (int b = 0; b < 4; ++b)
                    cp |= static_cast<std::uint32_t>(p[c * 4 + (d.bigEndian ? 3 - b : b)]) << (8 * b);
                if (cp > 0x10FFFF) fail(source, "text array holds an invalid code point");
            } else {
                cp = p[c];
            }
            if (cp == 0) break;
            if (unit == 4) appendUtf8(v->text, cp);
            else v->text += static_cast<char>(cp);
        }
        items.push_back(std::move(v));
    }
    if (h.shape.empty()) return items.at(0);
    auto list = std::make_shared<PyValue>();
    list->kind = PyValue::Kind::List;
    list->items = std::move(items);
    return list;
}

}  // namespace

NpyContent parseNpy(const std::uint8_t* data, std::size_t size, const std::string& source) {
    const HeaderSpan span = locateHeader(data, size, source);
    const char* text = reinterpret_cast<const char*>(data + span.begin);
    const NpyHeader header = HeaderParser(text, text + span.length, source).parse();
    const std::size_t dataBegin = span.dataBegin();
    const Descr descr = parseDescr(header.descr, source);

    NpyContent out;
    if (descr.isObject) {
        // np.save pickles object arrays; only the restricted reader sees them.
        out.isObject = true;
        out.object = parsePickle(data + dataBegin, size - dataBegin, source);
        return out;
    }
    if (descr.textKind) {
        out.isObject = true;
        out.object = readText(descr, header, data + dataBegin, size - dataBegin, source);
        return out;
    }
    out.array = readNumeric(descr, header, data + dataBegin, size - dataBegin, source);
    return out;
}

NpyContent loadNpyFile(const std::string& path) {
    const std::vector<std::uint8_t> bytes = readFileBytes(path);
    return parseNpy(bytes.data(), bytes.size(), path);
}

void saveNpyFile(const std::string& path, const NdArray& array) {
    const std::size_t elemSize = dtypeSize(array.dtype);
    const std::uint64_t bytes = checkedElementCount(array.shape, elemSize, path) * elemSize;
    if (bytes != array.data.size())
        throw std::invalid_argument(path + ": array of shape " + array.shapeString() + " holds " +
                                    std::to_string(array.data.size()) + " bytes, expected " + std::to_string(bytes));
    std::string out = npyPreamble(array);
    out.append(reinterpret_cast<const char*>(array.data.data()), array.data.size());
    writeFileAtomic(path, out);
}

std::map<std::string, NpyContent> loadNpzFile(const std::string& path) {
    std::uint64_t archiveSize = 0;
    ZipPtr zip = openZip(path, archiveSize);

    const zip_int64_t count = zip_get_num_entries(zip.get(), 0);
    if (count < 0) fail(path, "cannot list zip members");
    std::map<std::string, NpyContent> out;
    std::uint64_t compressedTotal = 0;
    for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(zip.get(), i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) || !st.name)
            fail(path, "cannot read zip entry " + std::to_string(i) + " (" + zip_strerror(zip.get()) + ")");
        const std::string name = st.name;
        // Like numpy's NpzFile we only interpret *.npy members; anything else
        // (directories, notes) is skipped rather than guessed at.
        if (!endsWith(name, ".npy")) continue;
        const std::string source = path + ":" + name;
        checkMemberSizes(st, archiveSize - compressedTotal, source);
        compressedTotal += st.comp_size;  // cannot exceed archiveSize after the check above

        const std::string key = name.substr(0, name.size() - 4);
        if (out.count(key)) fail(source, "duplicate member '" + key + "'");
        const std::vector<std::uint8_t> bytes = readMember(zip.get(), i, st, source);
        out.emplace(key, parseNpy(bytes.data(), bytes.size(), source));
    }
    return out;
}

}  // namespace synthforge::io
