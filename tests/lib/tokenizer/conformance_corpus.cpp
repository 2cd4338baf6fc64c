#include "tests/lib/tokenizer/conformance_corpus.h"

#include <fstream>
#include <sstream>

namespace kvt::test {

namespace {

// Hand-written strings, grouped by what they exercise.
const char* const kBase[] = {
    // English prose and contractions (the regexes special-case 's 't 're 've 'm 'll 'd).
    "Hello world!",
    "The quick brown fox jumps over the lazy dog.",
    "It's a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a "
    "wife.",
    "I'm sure we'll see, won't we? They've said they'd come; you're late, and she's gone.",
    "DON'T SHOUT. I'LL BE THERE. WE'RE FINE, THEY'VE LEFT, HE'D KNOW.",
    "O'Neill's café isn't far from the 'quoted' words and \"double quotes\".",
    "rock 'n' roll, ma'am, y'all, o'clock, '90s",
    "Call me Ishmael. Some years ago - never mind how long precisely - having little or no money in my purse...",
    "A hacker is a person who enjoys exploring the details of programmable systems and stretching their capabilities.",
    "Question: Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many "
    "clips did Natalia sell altogether in April and May?",
    "Answer: Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in "
    "April and May.\n#### 72",
    "Mr. Smith, Mrs. Jones, Dr. Who, e.g., i.e., etc. -- and so on…",
    "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    "camelCaseIdentifier snake_case_identifier SCREAMING_CASE kebab-case-word",
    // Source code.
    "int main(int argc, char** argv) {\n  return argc > 1 ? 0 : 1;\n}\n",
    "def f(x):\n    if x <= 0:\n        return []\n    return [i * i for i in range(x)]  # squares\n",
    "for (size_t i = 0; i < n; ++i) { sum += a[i] * b[i]; }",
    "const re = /'s|'t|\\s+(?!\\S)/gu; console.log(`${a}+${b}=${a + b}`);",
    "<html><body><p class=\"x\">Hi &amp; bye</p></body></html>",
    "{\"key\": [1, 2.5, -3e10, true, null], \"nested\": {\"a\": \"b\"}}",
    "SELECT id, name FROM users WHERE age >= 21 ORDER BY name DESC LIMIT 10;",
    "#include <vector>\n#define MAX(a,b) ((a)>(b)?(a):(b))\n",
    "git commit -m \"fix: handle CRLF\\r\\n line endings\" && make -j2 2>&1 | tee log.txt",
    "x+=1;y-=2;z*=3;w/=4;v%=5;u**=6;t//=7;s<<=8;r>>=9;q&=10;p|=11;o^=12",
    "fn main() -> Result<(), Box<dyn Error>> { Ok(()) }",
    "\t\tindented with tabs\n    and spaces\n\t  mixed\n",
    // Numbers and dates (Llama-3 groups digits by 3, Qwen splits them, GPT-2 keeps runs).
    "0 1 12 123 1234 12345 123456 1234567 12345678901234567890",
    "3.14159265358979 2.718281828 -0.5 +42 1e-9 6.022e23 0x1F 0b1010 0o777",
    "2024-02-29T23:59:59Z, 1999-12-31, 12/25/2025, 25.12.2025, 09:30am, Q3 FY2023",
    "$1,234,567.89 €99,99 £5 ¥1000 ₹250 100% 50‰ 3/4 ½ ¾ 2³ x²",
    "Phone: +1 (555) 123-4567, ISBN 978-3-16-148410-0, IPv4 192.168.0.1, IPv6 ::1",
    "Version 1.2.3-beta.4+build.567, v10.0.0, python3.11, gcc-12",
    "١٢٣ ٤٥٦ ۷۸۹ ०१२३ 一二三 ⅠⅡⅢⅣ ①②③",
    // Whitespace runs, tabs and newlines (\s+(?!\S) and \s*[\r\n]+ rules).
    " leading space",
    "trailing space ",
    "  two leading spaces",
    "a  b   c    d     e",
    "\n\nnewlines first",
    "line one\nline two\n\nline four\n\n\n\nline eight",
    "windows\r\nline\r\nendings\r\n",
    "tab\tseparated\tvalues\t\t\tend",
    "   \t \n  \t\n",
    " ",
    "  ",
    "\n",
    "\t",
    "                                                                end of many spaces",
    "word\n \n word\n\t\nword",
    "a\u00a0non-breaking\u2009thin\u3000ideographic space",
    "x \n y \n\n z  \n",
    // Punctuation.
    "!!! ??? ... ,,, ;;; ::: --- ___ *** ### @@@ $$$ %%% ^^^ &&& ((( ))) [[[ ]]] {{{ }}}",
    "\"Quoted,\" she said. 'Single,' he replied. «Guillemets» „German“ 「Japanese」",
    "Well... maybe?! (Or not.) [See: ref. 12] {braces} <angles> | pipe \\ backslash / slash",
    "—em dash– en dash ‐ hyphen … ellipsis • bullet · middle dot ¶ pilcrow § section",
    "a.b,c;d:e!f?g'h\"i(j)k[l]m{n}o<p>q",
    "@user #hashtag https://example.com/path?q=1&r=two#frag mailto:someone@example.org",
    "¿Qué? ¡Sí! «Ça va?» — „Ja.“",
    // Accented letters and other Latin-script languages.
    "café naïve résumé coöperate façade jalapeño Zürich Ångström Ærø Øresund",
    "Straße Größe Fußgängerübergänge ÄÖÜ äöü ß ẞ",
    "Ça ne fait rien. Où est la bibliothèque? L'été dernier, nous étions à Besançon.",
    "Łódź, Kraków, Gdańsk — zażółć gęślą jaźń",
    "Dvořák, Černá hora, Příliš žluťoučký kůň úpěl ďábelské ódy",
    "İstanbul, ığdır, Şişli, Çağlayan, Gümüşsuyu",
    "Tiếng Việt có dấu: Xin chào, cảm ơn, không sao đâu",
    "ᾹᾺΆ ἀρχὴ Ἀθῆναι — Ελληνικά: Καλημέρα κόσμε",
    "Русский текст: Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Українська: Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів!",
    "עברית: שלום עולם. العربية: مرحبا بالعالم. فارسی: سلام دنیا",
    "हिन्दी: नमस्ते दुनिया। বাংলা: ওহে বিশ্ব। தமிழ்: வணக்கம் உலகம்",
    "ไทย: สวัสดีชาวโลก ລາວ: ສະບາຍດີ ქართული: გამარჯობა",
    // Decomposed forms (Qwen's NFC normalizer composes them).
    "e\u0301cole, n\u0303, a\u0308, o\u0302, A\u030A, c\u0327a",
    "\u212B (angstrom sign) \u2126 (ohm sign) \u212A (kelvin sign)",
    "Hangul jamo: \u1100\u1161\u11A8 vs 각",
    // CJK.
    "你好，世界！今天天气很好。我们去公园散步吧。",
    "日本語のテキスト：こんにちは、世界。カタカナとひらがなと漢字。",
    "한국어 텍스트: 안녕하세요, 세계! 반갑습니다.",
    "中文English混合text，with标点符号。",
    "繁體中文：這是一個測試。龜鑑鬱齉",
    "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３ ！？",
    "𠀀𠀁𠀂 𪚥 𩸽 (supplementary-plane ideographs)",
    // Emoji and symbols.
    "I ❤️ tokenizers 😀😃😄😁 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷🇯🇵",
    "Emoji at end 🎉",
    "🚀",
    "Math: ∀x∈ℝ, ∃y: x²+y²=1 ⇒ |x|≤1; ∑ᵢ aᵢ ≈ ∫₀¹ f(t)dt ≠ ∞",
    "Arrows ← ↑ → ↓ ↔ ⇐ ⇒ and boxes ┌─┬─┐ │ ├─┼─┤ └─┴─┘ ░▒▓█",
    "Music ♩♪♫♬ chess ♔♕♖♗♘♙ cards ♠♣♥♦ weather ☀☁☂☃",
    "©®™ ℃ ℉ № ℡ ℮ ⅓ ⅔ ⅛",
    "control chars: \x01\x02\x7f end",
    "zero\u200bwidth\u200cjoiners\u200d and\u2060word joiner",
    "\u00ad soft hyphen and \u2028 line separator \u2029 paragraph",
    // Special and added tokens written in the text.
    "<|begin_of_text|>Hello<|end_of_text|>",
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n",
    "<s>[INST] What is 2+2? [/INST] 4</s>",
    "<s> leading special then space",
    "text then <s>",
    "<unk> and </s> and <s><s></s>",
    "<|endoftext|>The end.<|endoftext|>",
    "<think>\nLet me reason.\n</think>\nThe answer is 42.",
    "<tool_call>{\"name\": \"f\"}</tool_call>",
    "<|fim_prefix|>def add(a, b):<|fim_suffix|>\n<|fim_middle|>",
    "<|start_header_id|>user<|end_header_id|>\n\nhello<|eot_id|>",
    "almost special: <|im_star|> <s > < s> <|begin_of_text| >",
    "<|reserved_special_token_5|><|reserved_special_token_250|>",
    // Edge cases.
    "",
    "a",
    "'",
    "'s",
    "''''",
    "x'sy 'll'd're",
    "ĠĊ Ġ Ċ ĉ (byte-level look-alikes in real text)",
    "▁ metaspace ▁▁ in ▁text▁",
    "<0x41> looks like a byte-fallback token",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "abababababababababababababababababababababababababababababab",
    "the the the the the the the the the the the the the the the",
    "............................................................",
    "============================================================",
    "1111111111111111111111111111111111111111111111111111111111111",
};

const char* const kSeparators[] = {" ", "\n", "\n\n", "  ", "\t", "", ". ", " \n "};

}  // namespace

std::vector<std::string> conformance_corpus(const std::string& calibration_text_path, size_t calibration_documents) {
  std::vector<std::string> corpus(std::begin(kBase), std::end(kBase));
  const size_t base_count = corpus.size();
  // Pairs of base strings joined by separators: the boundaries between categories.
  const size_t separator_count = sizeof(kSeparators) / sizeof(kSeparators[0]);
  for (size_t i = 0; i < base_count; ++i) {
    size_t j = (i * 7 + 3) % base_count;
    corpus.push_back(std::string(kBase[i]) + kSeparators[i % separator_count] + kBase[j]);
  }
  // Real documents: paragraphs of the bundled calibration text.
  std::ifstream in(calibration_text_path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  size_t pos = 0, taken = 0;
  while (pos < text.size() && taken < calibration_documents) {
    size_t end = text.find("\n\n", pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) {
      corpus.push_back(text.substr(pos, end - pos));
      ++taken;
    }
    pos = end + 2;
  }
  return corpus;
}

}  // namespace kvt::test
