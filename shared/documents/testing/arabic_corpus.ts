/**
 * Test data: the Arabic source texts of the generated PDFs in `fixtures/pdfs/generated/` (written for this
 * project, same licence as the code). `tools/make_arabic_pdfs.ts` typesets them with LibreOffice; tests and
 * `deno task bench:extraction` compare what extraction returns with these texts.
 */

/** One block of a generated document: a heading or a paragraph. */
export interface CorpusBlock {
  text: string;
  heading?: boolean;
}

/** One generated document: its layout and its text. */
export interface CorpusDocument {
  /** File name under `fixtures/pdfs/generated/`. */
  file: string;
  /** What the document exercises. */
  about: string;
  justified: boolean;
  columns: 1 | 2;
  /** Running header text; the footer carries "صفحة N" (the page number field). */
  header: string;
  /** Whether a DOCX of the same text is made too (same name, `.docx`). */
  docx?: boolean;
  /** Font family; Amiri when not given. */
  font?: string;
  /** Reference units the PDF itself loses (a glyph it maps to no character), so no extractor can return them. */
  lost?: string[];
  blocks: CorpusBlock[];
}

const REGULATION: CorpusBlock[] = [
  { heading: true, text: "قانون رقم 8 لسنة 2022 بشأن تنظيم الدراسة الجامعية" },
  {
    text:
      "المـــادة الأولى: تسري أحكام هذه اللائحة على جميع الطلاب المقيدين في الكليات والمعاهد التابعة للجامعة، ويُعمل بها اعتبارًا من بداية العام الجامعي 2022/2023 ما لم ينص قرار مجلس الجامعــة على خلاف ذلك.",
  },
  {
    text:
      "المـــادة الثانية: تتولى الإدارة العـامة لشؤون الطلاب متابعة تنفيذ هذه اللائحة، ولها في سبيل ذلك أن تطلب من الكليات البيانات اللازمة، وأن تعرض على المجلس تقريرًا سنويًا عن سير العملية التعليمية والامتحانات.",
  },
  {
    text:
      "المـــادة الثالثة: لا يجوز قيد الطالب في أكثر من كلية في وقت واحد، ولا يقبل تحويله إلا بعد اجتياز مقررات الفرقة الأولى بنجاح، وبشرط ألا تقل نسبة حضوره عن 75% من المحاضرات والدروس العملية.",
  },
  {
    text:
      "المـــادة الرابعة: يلتزم عضو هيئة التدريس بإعلان خطة المقرر في الأسبوع الأول من الفصل الدراسي، على أن تتضمن الأهداف والمراجع وطرق التقويم ومواعيد الاختبارات الدورية والنهائية.",
  },
  {
    text:
      "المـــادة الخامسة: تحسب درجات أعمال السنة بواقع 40 درجة من أصل 100، وتخصص 60 درجة للامتحان النهائي، ويعد الطالب ناجحًا في المقرر إذا حصل على 50 درجة على الأقل في مجموع الدرجات.",
  },
  {
    text:
      "المـــادة السادسة: يجوز للطالب التظلم من نتيجة الامتحـــان خلال خمسة عشر يومًا من تاريخ إعلانها، وتبت اللجنة المختصة في التظلم خلال ثلاثين يومًا، ويكون قرارها نهائيًا.",
  },
  {
    text:
      "المـــادة السابعة: يحظر على الطلاب الإخلال بالنظام العام داخل الحرم الجـامعي، أو الاعتداء على سلامة الزملاء والعاملين، ويحال المخالف إلى مجلس التأديب وفقًا للأحكام الواردة في القانون.",
  },
  {
    text:
      "المـــادة الثامنة: تنشر هذه اللائحة في الجريدة الرسمية، ويعمل بها من اليوم التالي لتاريخ نشرها، وتلغى كل الأحكام التي تخالفها.",
  },
];

const NUMBERS_AND_LATIN: CorpusBlock[] = [
  { heading: true, text: "بيانات العام الدراسي 2024/2025" },
  { text: "صدر القرار رقم 125 بتاريخ 15/03/2023 ونشر في العدد 12 من الجريدة الرسمية." },
  { text: "يبلغ عدد الطلاب المسجلين 4,250 طالبًا، منهم 2,130 طالبة، أي بنسبة 50.1% تقريبًا." },
  {
    text:
      "تستخدم الجامعة نظام Moodle لإدارة التعلم، ويمكن الوصول إليه عبر الموقع www.example.edu من أي متصفح.",
  },
  { text: "يدرس الطلاب في الفصل الثاني مقرر Machine Learning باستخدام لغة Python 3.12 ومكتبة NumPy." },
  { text: "موعد الاختبار النهائي يوم الأحد 12 يناير 2025 من الساعة 9:00 حتى الساعة 11:30 صباحًا." },
  { text: "تكتب الأرقام أحيانًا بالأرقام الهندية مثل ١٢٣٤ و٢٠٢٤ في الوثائق الرسمية." },
  { text: "المعادلة E = mc2 من أشهر معادلات الفيزياء الحديثة." },
  { text: "انظر الفصل 3 والقسم 3.2 من الكتاب المقرر (الطبعة الثانية، 2019)." },
  { text: "قال تعالى: وَقُلْ رَبِّ زِدْنِي عِلْمًا." },
  { text: "يعقد المؤتمر الدولي للتعليم الرقمي ICDE 2026 في القاهرة خلال الفترة من 3 إلى 5 مارس." },
];

const LAM_ALEF: CorpusBlock[] = [
  { heading: true, text: "الفصل الأول: الإدارة والإشراف على الامتحانات" },
  { text: "لا يجوز دخول قاعة الامتحان إلا بالبطاقة الجامعية." },
  { text: "تلتزم اللجنة بتطبيق اللائحة على جميع الطلاب دون استثناء." },
  { text: "تعرض النتائج خلال أسبوعين من انتهاء الاختبارات، ثم تعلن في الموقع الإلكتروني." },
  { text: "يشترط الالتزام بالأخلاق والآداب العامة واحترام الآخرين." },
  { text: "السلام عليكم، وأهلًا بالطلاب الجدد في كلية العلوم الإسلامية." },
  { text: "العلاقات الدولية والاقتصاد والإحصاء والأحياء مقررات اختيارية." },
  { text: "تلا الأستاذ الآية الأولى، ثم شرح الآيات التالية بالتفصيل." },
  { text: "الأسئلة الآتية إلزامية، ولا تقبل الإجابات الناقصة إلا بإذن الإدارة." },
];

const NEWSLETTER: CorpusBlock[] = [
  { heading: true, text: "افتتاح المختبر الجديد" },
  {
    text:
      "افتتحت كلية العلوم مختبر الكيمياء الجديد في الأول من أكتوبر، ويضم المختبر أربعين مقعدًا وأجهزة حديثة لقياس الطيف، وقد حضر الافتتاح عميد الكلية ورؤساء الأقسام وعدد كبير من الطلاب.",
  },
  {
    text:
      "وأكد العميد في كلمته أن المختبر سيخدم طلاب المرحلة الأولى والدراسات العليا، وأن الكلية تعمل على تطوير المقررات العملية بما يتفق مع المعايير الدولية للجودة.",
  },
  { heading: true, text: "مسابقة البحث العلمي" },
  {
    text:
      "أعلنت الجامعة عن مسابقة البحث العلمي للطلاب، وآخر موعد لتقديم الأبحاث هو الخامس عشر من ديسمبر، وتمنح الجامعة ثلاث جوائز للفائزين في كل فرع من فروع المسابقة.",
  },
  {
    text:
      "ويشترط في البحث أن يكون أصيلًا وألا يزيد عدد صفحاته على عشرين صفحة، وأن يشرف عليه أحد أعضاء هيئة التدريس، وتقبل الأبحاث المكتوبة باللغة العربية أو الإنجليزية.",
  },
  { heading: true, text: "أنشطة المكتبة" },
  {
    text:
      "تنظم المكتبة المركزية ورشة عمل أسبوعية عن مهارات البحث في قواعد البيانات، وتبدأ الورشة في الساعة العاشرة صباحًا كل يوم ثلاثاء في القاعة الكبرى بالطابق الثاني.",
  },
  {
    text:
      "كما تتيح المكتبة للطلاب استعارة الكتب لمدة أسبوعين قابلة للتجديد مرة واحدة، ويمكن حجز الكتب عبر البوابة الإلكترونية للجامعة دون الحاجة إلى الحضور.",
  },
  { heading: true, text: "الرياضة الجامعية" },
  {
    text:
      "فاز فريق كرة السلة بالمركز الأول في دوري الجامعات، بعد مباراة نهائية قوية انتهت بفارق ثلاث نقاط، وقد استقبل رئيس الجامعة اللاعبين وهنأهم على هذا الإنجاز.",
  },
  {
    text:
      "وتدعو إدارة النشاط الرياضي جميع الطلاب إلى الاشتراك في الفرق الجامعية، إذ تفتح أبواب التسجيل في بداية كل فصل دراسي، ويحصل المتميزون على منح دراسية جزئية.",
  },
];

/** The generated documents: justified text with typed kashida, numbers and Latin, lam-alef words, two columns. */
export const ARABIC_CORPUS: CorpusDocument[] = [
  {
    file: "ar_regulation_justified.pdf",
    about: "justified paragraphs (kashida), numbers inside Arabic, header and page numbers",
    justified: true,
    columns: 1,
    header: "لائحة شؤون الطلاب",
    docx: true,
    blocks: REGULATION,
  },
  {
    file: "ar_numbers_latin.pdf",
    about: "numbers, dates, percentages, Latin terms and a URL inside Arabic lines; diacritics",
    justified: false,
    columns: 1,
    header: "بيانات وإحصاءات",
    docx: true,
    blocks: NUMBERS_AND_LATIN,
  },
  {
    file: "ar_lam_alef.pdf",
    about: "words with lam-alef ligatures (لا، لأ، لإ، لآ)",
    justified: false,
    columns: 1,
    header: "تعليمات الامتحانات",
    blocks: LAM_ALEF,
  },
  {
    file: "ar_two_columns.pdf",
    about: "two justified columns over several pages, with headings, a running header and page numbers",
    justified: true,
    columns: 2,
    header: "نشرة كلية العلوم",
    blocks: NEWSLETTER,
  },
  {
    // DejaVu Sans maps its lam-alef glyphs to "لا": pdf.js, reversing the line character by character, turns
    // every one into "ال" («الطالب» for «الطلاب»), as in the government PDF of the report.
    file: "ar_regulation_dejavu.pdf",
    about: "justified paragraphs whose every lam-alef ligature pdf.js swaps (DejaVu Sans)",
    justified: true,
    columns: 1,
    header: "لائحة شؤون الطلاب",
    blocks: REGULATION,
    font: "DejaVu Sans",
  },
  {
    file: "ar_lam_alef_dejavu.pdf",
    about: "lam-alef words whose ligatures pdf.js swaps (DejaVu Sans)",
    justified: false,
    columns: 1,
    header: "تعليمات الامتحانات",
    blocks: LAM_ALEF,
    font: "DejaVu Sans",
    // The tanween over «أهلًا» is a glyph without a Unicode mapping.
    lost: ["وأهلًا بالطلاب الجدد في كلية العلوم الإسلامية."],
  },
];

/**
 * The reference units of a document: its headings and its paragraphs cut after sentence and clause punctuation,
 * the pieces extraction must return intact and in reading order.
 */
export function referenceUnits(doc: CorpusDocument): string[] {
  return doc.blocks.flatMap((b) => {
    // Kashida is typed only to justify the line: the reference is the text without it.
    const text = b.text.replaceAll("\u0640", "");
    return b.heading ? [text] : text.split(/(?<=[.،:؛])\s+/).map((s) => s.trim()).filter((s) => s.length > 0);
  });
}
