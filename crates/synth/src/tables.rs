//! Name-part tables, written for this crate.
//!
//! Every entry is generic vocabulary (a given name, a family or tribe name,
//! a town-of-origin adjective), never a person. Each Arabic part carries its
//! Arabic-script form and its spelling in three Latin conventions seen on
//! real documents: English/academic (`en`: Abd al-Qadir, Yusuf), French /
//! Maghreb (`fr`: Abdelkader, Youcef, ou/dj/ch, Ben/Bel/Bou glued) and
//! Egyptian (`eg`: g for ج, El for the article, -y endings), plus further
//! spellings met in practice (`alt`).
//!
//! Deliberately absent: family names and noms de guerre that would, combined
//! with a common given name, spell a well-known listed or public person
//! (the tests check the demo set against a real watchlist).

/// One Arabic name part in Arabic script and its Latin spellings.
#[derive(Debug)]
pub struct Part {
    pub ar: &'static str,
    pub en: &'static str,
    pub fr: &'static str,
    pub eg: &'static str,
    pub alt: &'static [&'static str],
}

/// A Latin transliteration convention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Convention {
    /// English / academic: `Abd al-Qadir`, `Yusuf`, `Husayn`.
    English,
    /// French / Maghreb: `Abdelkader`, `Youcef`, `Djamel`, `Chérif`.
    French,
    /// Egyptian: `Abdel Kader`, `Gamal`, `El Sayed`, `Fawzy`.
    Egyptian,
}

impl Convention {
    pub const ALL: [Convention; 3] = [
        Convention::English,
        Convention::French,
        Convention::Egyptian,
    ];
}

impl Part {
    pub fn latin(&self, c: Convention) -> &'static str {
        match c {
            Convention::English => self.en,
            Convention::French => self.fr,
            Convention::Egyptian => self.eg,
        }
    }
}

/// Latin-script (or other-script) part of a non-Arabic name: the spelling
/// on the document, an original-script form when there is one (Cyrillic,
/// Persian), and accent-free or variant spellings.
#[derive(Debug)]
pub struct LatinPart {
    pub latin: &'static str,
    pub script: Option<&'static str>,
    pub alt: &'static [&'static str],
}

macro_rules! p {
    ($ar:expr, $en:expr, $fr:expr, $eg:expr $(, $alt:expr)* $(,)?) => {
        Part { ar: $ar, en: $en, fr: $fr, eg: $eg, alt: &[$($alt),*] }
    };
}

macro_rules! l {
    ($latin:expr $(, $alt:expr)* $(,)?) => {
        LatinPart { latin: $latin, script: None, alt: &[$($alt),*] }
    };
    ($latin:expr ; $script:expr $(, $alt:expr)* $(,)?) => {
        LatinPart { latin: $latin, script: Some($script), alt: &[$($alt),*] }
    };
}

/// Male given names (simple).
pub static MALE: &[Part] = &[
    p!(
        "محمد", "Muhammad", "Mohamed", "Mohamed", "Mohammed", "Mohamad", "Muhamad", "Mohammad"
    ),
    p!("أحمد", "Ahmad", "Ahmed", "Ahmed", "Ahmet", "Ahmd"),
    p!("محمود", "Mahmud", "Mahmoud", "Mahmoud", "Mahmood"),
    p!("مصطفى", "Mustafa", "Mustapha", "Mostafa", "Moustafa"),
    p!("علي", "Ali", "Ali", "Aly"),
    p!("حسن", "Hasan", "Hassen", "Hassan", "Hacene", "Hassan"),
    p!(
        "حسين", "Husayn", "Hocine", "Hussein", "Houcine", "Hussain", "Hossein"
    ),
    p!("عمر", "Umar", "Omar", "Omar", "Omer"),
    p!("عثمان", "Uthman", "Othmane", "Osman", "Othman", "Osmane"),
    p!(
        "يوسف", "Yusuf", "Youcef", "Youssef", "Yousef", "Youssouf", "Yussuf"
    ),
    p!(
        "إبراهيم",
        "Ibrahim",
        "Brahim",
        "Ibrahim",
        "Ebrahim",
        "Ibraheem"
    ),
    p!("إسماعيل", "Isma'il", "Smail", "Ismail", "Ismael", "Esmail"),
    p!("إلياس", "Ilyas", "Ilyes", "Elias", "Elyes", "Ilias"),
    p!("يونس", "Yunus", "Younes", "Younis", "Yunis"),
    p!("خالد", "Khalid", "Khaled", "Khaled"),
    p!("وليد", "Walid", "Oualid", "Walid", "Waleed"),
    p!("سعيد", "Sa'id", "Saïd", "Saeed", "Said", "Saied"),
    p!("سعد", "Sa'd", "Saad", "Saad", "Saâd"),
    p!("حمزة", "Hamza", "Hamza", "Hamza", "Hamzah"),
    p!("بلال", "Bilal", "Bilel", "Belal"),
    p!("طارق", "Tariq", "Tarek", "Tarek", "Tareq", "Tarik"),
    p!("كريم", "Karim", "Karim", "Kareem", "Kerim"),
    p!("رشيد", "Rashid", "Rachid", "Rashid", "Rasheed"),
    p!("فريد", "Farid", "Farid", "Farid", "Fareed"),
    p!("هشام", "Hisham", "Hichem", "Hesham", "Hicham"),
    p!("جمال", "Jamal", "Djamel", "Gamal", "Jamel", "Djamal"),
    p!("جلال", "Jalal", "Djalal", "Galal", "Jalel"),
    p!("نجيب", "Najib", "Nadjib", "Nagib", "Naguib", "Najeeb"),
    p!("ماجد", "Majid", "Madjid", "Maged", "Majed"),
    p!("نبيل", "Nabil", "Nabil", "Nabil", "Nabeel"),
    p!("عادل", "Adil", "Adel", "Adel"),
    p!("طاهر", "Tahir", "Tahar", "Taher"),
    p!("بشير", "Bashir", "Bachir", "Bashir", "Basheer", "Béchir"),
    p!("ناصر", "Nasir", "Nacer", "Nasser", "Naser"),
    p!("منصور", "Mansur", "Mansour", "Mansour", "Mansoor"),
    p!("منير", "Munir", "Mounir", "Mounir", "Moneer"),
    p!("سفيان", "Sufyan", "Soufiane", "Sofian", "Sofiane", "Sufian"),
    p!("أيوب", "Ayyub", "Ayoub", "Ayoub", "Ayub", "Ayyoub"),
    p!("زكريا", "Zakariya", "Zakaria", "Zakaria", "Zakariyya"),
    p!("يحيى", "Yahya", "Yahia", "Yehia", "Yahiya", "Yehya"),
    p!("إدريس", "Idris", "Driss", "Idris", "Idriss", "Edris"),
    p!("عباس", "Abbas", "Abbès", "Abbas"),
    p!("أنور", "Anwar", "Anouar", "Anwar"),
    p!("فتحي", "Fathi", "Fethi", "Fathy"),
    p!(
        "الأخضر",
        "al-Akhdar",
        "Lakhdar",
        "El Akhdar",
        "Lakhdhar",
        "Akhdar"
    ),
    p!("مختار", "Mukhtar", "Mokhtar", "Mokhtar", "Moukhtar"),
    p!("ميلود", "Milud", "Miloud", "Miloud"),
    p!("عمار", "Ammar", "Ammar", "Ammar", "Amar"),
    p!("عيسى", "Isa", "Aïssa", "Eissa", "Aissa", "Issa"),
    p!("موسى", "Musa", "Moussa", "Mousa", "Mussa"),
    p!("سالم", "Salim", "Salem", "Salem", "Saleem"),
    p!("سامي", "Sami", "Sami", "Samy"),
    p!("رياض", "Riyad", "Riad", "Reyad", "Riadh", "Riyadh"),
    p!("رمزي", "Ramzi", "Ramzi", "Ramzy"),
    p!("فوزي", "Fawzi", "Faouzi", "Fawzy", "Fouzi"),
    p!("مبروك", "Mabruk", "Mabrouk", "Mabrouk", "Mebrouk"),
    p!("أشرف", "Ashraf", "Achraf", "Ashraf"),
    p!("حاتم", "Hatim", "Hatem", "Hatem"),
    p!("وائل", "Wa'il", "Wael", "Wael", "Wail"),
    p!("زياد", "Ziyad", "Ziad", "Ziad"),
    p!("طه", "Taha", "Taha", "Taha"),
    p!("جابر", "Jabir", "Djaber", "Gaber", "Jaber"),
    p!("شكري", "Shukri", "Choukri", "Shokry", "Shoukri"),
    p!("شريف", "Sharif", "Chérif", "Sherif", "Cherif", "Shareef"),
    p!("حافظ", "Hafiz", "Hafid", "Hafez", "Hafedh"),
    p!(
        "رضوان",
        "Ridwan",
        "Redouane",
        "Radwan",
        "Redwan",
        "Ridouane"
    ),
    p!("فيصل", "Faysal", "Fayçal", "Faisal", "Faycal", "Faical"),
    p!("مروان", "Marwan", "Marouane", "Marwan", "Marouan"),
    p!("عماد", "Imad", "Imed", "Emad"),
    p!("توفيق", "Tawfiq", "Toufik", "Tawfik", "Tewfik", "Taoufik"),
    p!("جميل", "Jamil", "Djamil", "Gamil", "Jameel"),
    p!("خليل", "Khalil", "Khalil", "Khalil"),
    p!("كمال", "Kamal", "Kamel", "Kamal", "Kemal"),
    p!("رضا", "Rida", "Redha", "Reda", "Ridha"),
    p!("زهير", "Zuhayr", "Zouhair", "Zoheir", "Zuhair", "Zohir"),
    p!("حبيب", "Habib", "Habib", "Habib"),
    p!("صالح", "Salih", "Saleh", "Saleh"),
    p!("صلاح", "Salah", "Salah", "Salah"),
    p!("أمين", "Amin", "Amine", "Amin", "Ameen"),
    p!("الهادي", "al-Hadi", "Hédi", "El Hady", "Hadi", "Lahdi"),
    p!("العربي", "al-Arabi", "Larbi", "El Araby", "Arbi", "Laarbi"),
    p!(
        "الصادق",
        "al-Sadiq",
        "Sadok",
        "El Sadek",
        "Sadek",
        "Essadek"
    ),
    p!("المنصف", "al-Munsif", "Moncef", "El Monsef", "Mounsef"),
    p!("الطيب", "al-Tayyib", "Tayeb", "El Tayeb", "Taieb", "Tayyeb"),
    p!("إسحاق", "Ishaq", "Ishak", "Ishak", "Ishag"),
    p!("يعقوب", "Ya'qub", "Yacoub", "Yacoub", "Yagoub", "Yakoub"),
    p!("آدم", "Adam", "Adam", "Adam"),
    p!("بابكر", "Babikir", "Babiker", "Babiker", "Babakr"),
];

/// Theophoric compounds: Abd + al + attribute (one name unit, 1–3 tokens).
pub static ABD: &[Part] = &[
    p!(
        "عبد القادر",
        "Abd al-Qadir",
        "Abdelkader",
        "Abdel Kader",
        "Abdul Kader",
        "Abdulkadir",
        "Abdelkadir",
        "Abd el-Kader",
        "Abdulqadir"
    ),
    p!(
        "عبد الرحمن",
        "Abd al-Rahman",
        "Abderrahmane",
        "Abdel Rahman",
        "Abdurrahman",
        "Abdul Rahman",
        "Abdelrahman",
        "Abderrahman",
        "Abdulrahman"
    ),
    p!(
        "عبد الله",
        "Abd Allah",
        "Abdallah",
        "Abdallah",
        "Abdullah",
        "Abdellah",
        "Abdalla",
        "Abdulla"
    ),
    p!(
        "عبد العزيز",
        "Abd al-Aziz",
        "Abdelaziz",
        "Abdel Aziz",
        "Abdulaziz",
        "Abdul Aziz"
    ),
    p!(
        "عبد الكريم",
        "Abd al-Karim",
        "Abdelkrim",
        "Abdel Karim",
        "Abdulkarim",
        "Abdul Karim",
        "Abdelkarim"
    ),
    p!(
        "عبد الحميد",
        "Abd al-Hamid",
        "Abdelhamid",
        "Abdel Hamid",
        "Abdulhamid",
        "Abdul Hamid"
    ),
    p!(
        "عبد المجيد",
        "Abd al-Majid",
        "Abdelmadjid",
        "Abdel Meguid",
        "Abdulmajid",
        "Abdelmajid",
        "Abdul Majeed"
    ),
    p!(
        "عبد اللطيف",
        "Abd al-Latif",
        "Abdellatif",
        "Abdel Latif",
        "Abdullatif",
        "Abdul Latif"
    ),
    p!(
        "عبد الحليم",
        "Abd al-Halim",
        "Abdelhalim",
        "Abdel Halim",
        "Abdulhalim"
    ),
    p!(
        "عبد الحكيم",
        "Abd al-Hakim",
        "Abdelhakim",
        "Abdel Hakim",
        "Abdulhakim"
    ),
    p!(
        "عبد المالك",
        "Abd al-Malik",
        "Abdelmalek",
        "Abdel Malek",
        "Abdulmalik"
    ),
    p!(
        "عبد الوهاب",
        "Abd al-Wahhab",
        "Abdelouahab",
        "Abdel Wahab",
        "Abdulwahab",
        "Abdelwahab"
    ),
    p!(
        "عبد الرزاق",
        "Abd al-Razzaq",
        "Abderrazak",
        "Abdel Razek",
        "Abdurrazaq",
        "Abdul Razak",
        "Abderrazek"
    ),
    p!(
        "عبد الجليل",
        "Abd al-Jalil",
        "Abdeljalil",
        "Abdel Galil",
        "Abduljalil"
    ),
    p!(
        "عبد الغني",
        "Abd al-Ghani",
        "Abdelghani",
        "Abdel Ghani",
        "Abdulghani"
    ),
    p!(
        "عبد الباسط",
        "Abd al-Basit",
        "Abdelbasset",
        "Abdel Basset",
        "Abdulbasit"
    ),
    p!(
        "عبد الناصر",
        "Abd al-Nasir",
        "Abdennacer",
        "Abdel Nasser",
        "Abdulnasser",
        "Abdennasser"
    ),
    p!(
        "عبد الجواد",
        "Abd al-Jawad",
        "Abdeldjaouad",
        "Abdel Gawad",
        "Abduljawad",
        "Abdel Jawad"
    ),
    p!(
        "عبد المنعم",
        "Abd al-Mun'im",
        "Abdelmoneim",
        "Abdel Moneim",
        "Abdulmunim",
        "Abdel Monem"
    ),
    p!(
        "عبد الحفيظ",
        "Abd al-Hafiz",
        "Abdelhafid",
        "Abdel Hafez",
        "Abdulhafiz",
        "Abdelhafidh"
    ),
    p!(
        "عبد الواحد",
        "Abd al-Wahid",
        "Abdelouahed",
        "Abdel Wahed",
        "Abdulwahid"
    ),
    p!(
        "عبد الرحيم",
        "Abd al-Rahim",
        "Abderrahim",
        "Abdel Rehim",
        "Abdurrahim",
        "Abdul Rahim"
    ),
    p!(
        "عبد الصمد",
        "Abd al-Samad",
        "Abdessamad",
        "Abdel Samad",
        "Abdussamad"
    ),
    p!(
        "عبد الإله",
        "Abd al-Ilah",
        "Abdelilah",
        "Abdel Elah",
        "Abdulilah"
    ),
    p!(
        "عبد الرؤوف",
        "Abd al-Ra'uf",
        "Abderraouf",
        "Abdel Raouf",
        "Abdurrauf",
        "Abdul Rauf"
    ),
    p!(
        "عبد النور",
        "Abd al-Nur",
        "Abdennour",
        "Abdel Nour",
        "Abdulnour"
    ),
    p!(
        "عبد الحق",
        "Abd al-Haqq",
        "Abdelhak",
        "Abdel Haq",
        "Abdulhaq"
    ),
];

/// X-ud-Din compounds and Maghreb double given names.
pub static DIN: &[Part] = &[
    p!(
        "نور الدين",
        "Nur al-Din",
        "Noureddine",
        "Nour El Din",
        "Nureddin",
        "Nour Eddine",
        "Nuruddin"
    ),
    p!(
        "عز الدين",
        "Izz al-Din",
        "Azzedine",
        "Ezz El Din",
        "Izzeddin",
        "Ezzeddine",
        "Izzuddin"
    ),
    p!(
        "نصر الدين",
        "Nasr al-Din",
        "Nasreddine",
        "Nasr El Din",
        "Nasruddin",
        "Nasr Eddine"
    ),
    p!(
        "صلاح الدين",
        "Salah al-Din",
        "Salaheddine",
        "Salah El Din",
        "Salahuddin",
        "Salah Eddine"
    ),
    p!(
        "خير الدين",
        "Khayr al-Din",
        "Kheireddine",
        "Khair El Din",
        "Khairuddin",
        "Khayreddine"
    ),
    p!(
        "جمال الدين",
        "Jamal al-Din",
        "Djamel Eddine",
        "Gamal El Din",
        "Jamaluddin",
        "Djamaleddine"
    ),
    p!(
        "بدر الدين",
        "Badr al-Din",
        "Badreddine",
        "Badr El Din",
        "Badruddin"
    ),
    p!(
        "سيف الدين",
        "Sayf al-Din",
        "Seifeddine",
        "Seif El Din",
        "Saifuddin",
        "Sayfeddine"
    ),
    p!(
        "علاء الدين",
        "Ala al-Din",
        "Alaeddine",
        "Alaa El Din",
        "Alauddin"
    ),
    p!(
        "حسام الدين",
        "Husam al-Din",
        "Houssemeddine",
        "Hossam El Din",
        "Husamuddin",
        "Houssem Eddine"
    ),
    p!(
        "شمس الدين",
        "Shams al-Din",
        "Chemseddine",
        "Shams El Din",
        "Shamsuddin",
        "Chams Eddine"
    ),
    p!(
        "فخر الدين",
        "Fakhr al-Din",
        "Fakhreddine",
        "Fakhr El Din",
        "Fakhruddin"
    ),
    p!(
        "تقي الدين",
        "Taqi al-Din",
        "Takieddine",
        "Taqi El Din",
        "Taqiuddin"
    ),
    p!(
        "شرف الدين",
        "Sharaf al-Din",
        "Charafeddine",
        "Sharaf El Din",
        "Sharafuddin"
    ),
    p!(
        "محمد الأمين",
        "Muhammad al-Amin",
        "Mohamed Lamine",
        "Mohamed El Amin",
        "Mohammed Lamine",
        "Mohamed Amine"
    ),
    p!(
        "محمد الطاهر",
        "Muhammad al-Tahir",
        "Mohamed Tahar",
        "Mohamed El Taher",
        "Mohammed Tahar"
    ),
    p!(
        "محمد العربي",
        "Muhammad al-Arabi",
        "Mohamed Larbi",
        "Mohamed El Araby",
        "Mohammed Larbi"
    ),
    p!(
        "محمد الهادي",
        "Muhammad al-Hadi",
        "Mohamed Hédi",
        "Mohamed El Hady",
        "Mohamed Hedi"
    ),
];

/// Female given names.
pub static FEMALE: &[Part] = &[
    p!("فاطمة", "Fatima", "Fatma", "Fatma", "Fatimah", "Fatema"),
    p!("عائشة", "A'isha", "Aïcha", "Aisha", "Aicha", "Aysha"),
    p!("خديجة", "Khadija", "Khadidja", "Khadiga", "Khadijah"),
    p!("مريم", "Maryam", "Meriem", "Mariam", "Mariem", "Meryem"),
    p!("زينب", "Zaynab", "Zineb", "Zeinab", "Zainab"),
    p!("أمينة", "Amina", "Amina", "Amina", "Aminah"),
    p!("نادية", "Nadiya", "Nadia", "Nadia", "Nadya"),
    p!("سميرة", "Samira", "Samira", "Samira", "Sameera"),
    p!("ليلى", "Layla", "Leila", "Laila", "Leyla", "Lila"),
    p!("سارة", "Sara", "Sarah", "Sara"),
    p!("هدى", "Huda", "Houda", "Hoda"),
    p!("أسماء", "Asma'", "Asma", "Asmaa", "Asma"),
    p!("نور", "Nur", "Nour", "Nour", "Noor"),
    p!("حنان", "Hanan", "Hanane", "Hanan"),
    p!("رانيا", "Raniya", "Rania", "Rania"),
    p!("كريمة", "Karima", "Karima", "Karima", "Kareema"),
    p!("نعيمة", "Na'ima", "Naïma", "Naema", "Naima"),
    p!("صفية", "Safiya", "Safia", "Safeya", "Safiyya"),
    p!("حفصة", "Hafsa", "Hafsa", "Hafsa", "Hafsah"),
    p!("ياسمين", "Yasmin", "Yasmine", "Yasmin", "Jasmin"),
    p!("إيمان", "Iman", "Imane", "Eman", "Imen"),
    p!("وفاء", "Wafa'", "Wafa", "Wafaa"),
    p!("سعاد", "Su'ad", "Souad", "Soad", "Suad"),
    p!("جميلة", "Jamila", "Djamila", "Gamila", "Jameela"),
    p!("سلمى", "Salma", "Salma", "Salma"),
    p!(
        "فاطمة الزهراء",
        "Fatima al-Zahra",
        "Fatma Zohra",
        "Fatma El Zahraa",
        "Fatima Zahra",
        "Fatima Ezzahra"
    ),
];

/// Algerian family names.
pub static FAMILY_DZ: &[Part] = &[
    p!("حداد", "Haddad", "Haddad", "Haddad", "Hadad"),
    p!(
        "بن يوسف",
        "Bin Yusuf",
        "Benyoucef",
        "Ben Youssef",
        "Ben Youcef",
        "Benyoussef"
    ),
    p!(
        "بلقاسم",
        "Belqasim",
        "Belkacem",
        "Belkassem",
        "Belgacem",
        "Bel Kacem"
    ),
    p!("بوزيد", "Bu Zayd", "Bouzid", "Bouzeid", "Bouzide"),
    p!("بوعلام", "Bu Allam", "Boualem", "Boualam", "Bou Alem"),
    p!("بوعزة", "Bu Azza", "Bouazza", "Bouazza", "Bou Azza"),
    p!(
        "بن سالم",
        "Bin Salim",
        "Bensalem",
        "Ben Salem",
        "Ben Salem",
        "Bensalim"
    ),
    p!(
        "بن عمار",
        "Bin Ammar",
        "Benammar",
        "Ben Ammar",
        "Benamar",
        "Ben Amar"
    ),
    p!(
        "بن موسى",
        "Bin Musa",
        "Benmoussa",
        "Ben Mousa",
        "Ben Moussa"
    ),
    p!(
        "بن عيسى",
        "Bin Isa",
        "Benaissa",
        "Ben Eissa",
        "Ben Aissa",
        "Benaïssa"
    ),
    p!("بوشارب", "Busharib", "Bouchareb", "Boushareb"),
    p!("زروقي", "Zarruqi", "Zerrouki", "Zarouky", "Zarrouki"),
    p!("منصوري", "Mansuri", "Mansouri", "Mansoury", "Mansoori"),
    p!("خليفي", "Khalifi", "Khelifi", "Khalify", "Khlifi"),
    p!("تواتي", "Tuwati", "Touati", "Tawaty"),
    p!("شاوي", "Shawi", "Chaoui", "Shawy", "Chaouï"),
    p!("سليماني", "Sulaymani", "Slimani", "Soleimany", "Slimany"),
    p!("مزيان", "Mizyan", "Meziane", "Mezyan"),
    p!("عمراني", "Umrani", "Amrani", "Omrany"),
    p!("رحماني", "Rahmani", "Rahmani", "Rahmany"),
    p!("جبار", "Jabbar", "Djebbar", "Gabbar", "Jebbar"),
    p!("قدور", "Qaddur", "Kaddour", "Kaddour", "Gaddour"),
    p!("مباركي", "Mubaraki", "Mebarki", "Mobaraky", "Mbarki"),
    p!(
        "بوخالفة",
        "Bu Khalfa",
        "Boukhalfa",
        "Boukhalfa",
        "Bou Khalfa"
    ),
    p!("لعرابي", "La'rabi", "Laarabi", "Laaraby", "Larabi"),
    p!("شريفي", "Sharifi", "Cherifi", "Sherify", "Chérifi"),
    p!("حمادي", "Hammadi", "Hamadi", "Hammady", "Hammadi"),
    p!(
        "بن شيخ",
        "Bin Shaykh",
        "Bencheikh",
        "Ben Sheikh",
        "Ben Cheikh"
    ),
    p!("تلمساني", "Tilimsani", "Tlemcani", "Telemsany", "Tlemsani"),
    p!("بجاوي", "Bijawi", "Bejaoui", "Begawy", "Bedjaoui"),
    p!("بسكري", "Biskri", "Biskri", "Biskry"),
    p!("بليدي", "Bulaydi", "Blidi", "Bolaidy"),
    p!("ميلي", "Mili", "Mili", "Mily"),
    p!("مدني", "Madani", "Madani", "Madany", "Medani"),
    p!("زيتوني", "Zaytuni", "Zitouni", "Zeitouny"),
    p!(
        "بوعبد الله",
        "Bu Abd Allah",
        "Bouabdallah",
        "Bou Abdallah",
        "Bouabdellah"
    ),
    p!("حمداني", "Hamdani", "Hamdani", "Hamdany"),
    p!("قاسمي", "Qasimi", "Kacimi", "Qasemy", "Gacemi"),
    p!("عيساوي", "Isawi", "Aissaoui", "Eisawy", "Issaoui"),
    p!("لوصيف", "Lusif", "Loucif", "Losif"),
];

/// Tunisian family names.
pub static FAMILY_TN: &[Part] = &[
    p!(
        "الغربي",
        "al-Gharbi",
        "Gharbi",
        "El Gharby",
        "Garbi",
        "Al Gharbi"
    ),
    p!("الجبالي", "al-Jabali", "Jebali", "El Gabaly", "Djebali"),
    p!("الماجري", "al-Majiri", "Mejri", "El Magry", "Mejiri"),
    p!("الدريدي", "al-Duraydi", "Dridi", "El Doraydy"),
    p!("العياري", "al-Ayyari", "Ayari", "El Ayyary", "Aiari"),
    p!("الحمامي", "al-Hammami", "Hammami", "El Hammamy", "Hamami"),
    p!("الساسي", "al-Sasi", "Sassi", "El Sasy", "Sasi"),
    p!("المحجوب", "al-Mahjub", "Mahjoub", "El Mahgoub", "Mahjoob"),
    p!("الزواري", "al-Zawari", "Zouari", "El Zawary"),
    p!("الفرشيشي", "al-Farshishi", "Ferchichi", "El Farshishy"),
    p!("الرياحي", "al-Riyahi", "Riahi", "El Reyahy", "Riyahi"),
    p!("الحمروني", "al-Hamruni", "Hamrouni", "El Hamrony"),
    p!("الورغي", "al-Warghi", "Ouerghi", "El Warghy", "Werghi"),
    p!("التليلي", "al-Tlili", "Tlili", "El Telily"),
    p!("الخميري", "al-Khumayri", "Khemiri", "El Khomairy", "Khmiri"),
    p!("الجلاصي", "al-Jalasi", "Jlassi", "El Galassy", "Jelassi"),
    p!("الغانمي", "al-Ghanimi", "Ghanmi", "El Ghanemy"),
    p!("بن صالح", "Bin Salih", "Ben Salah", "Ben Saleh", "Bensalah"),
    p!(
        "بن حسين",
        "Bin Husayn",
        "Ben Hassine",
        "Ben Hussein",
        "Benhassine"
    ),
    p!(
        "بن رمضان",
        "Bin Ramadan",
        "Ben Romdhane",
        "Ben Ramadan",
        "Benromdhane"
    ),
    p!("القاسمي", "al-Qasimi", "Kasmi", "El Qasemy", "Gasmi"),
    p!("السويسي", "al-Suwaysi", "Souissi", "El Sewesy", "Swissi"),
];

/// Moroccan family names.
pub static FAMILY_MA: &[Part] = &[
    p!(
        "الإدريسي",
        "al-Idrisi",
        "El Idrissi",
        "El Edrissy",
        "Idrissi",
        "Elidrissi"
    ),
    p!(
        "بنجلون",
        "Binjallun",
        "Benjelloun",
        "Bengelloun",
        "Ben Jelloun",
        "Benjeloun"
    ),
    p!(
        "العلوي",
        "al-Alawi",
        "Alaoui",
        "El Alawy",
        "El Alaoui",
        "Alawi"
    ),
    p!("التازي", "al-Tazi", "Tazi", "El Tazy", "Ettazi"),
    p!("بناني", "Bannani", "Bennani", "Bannany", "Benani"),
    p!("الفاسي", "al-Fasi", "El Fassi", "El Fasy", "Fassi"),
    p!(
        "الوزاني",
        "al-Wazzani",
        "Ouazzani",
        "El Wazzany",
        "Ouazani",
        "Wazani"
    ),
    p!(
        "الناصري",
        "al-Nasiri",
        "Naciri",
        "El Nassiry",
        "Nasiri",
        "Nassiri"
    ),
    p!("لحلو", "Lahlu", "Lahlou", "Lahlou"),
    p!("البقالي", "al-Baqqali", "Bakkali", "El Baqqaly", "Baqqali"),
    p!(
        "الشرقاوي",
        "al-Sharqawi",
        "Cherkaoui",
        "El Sharkawy",
        "Charkaoui"
    ),
    p!("الزياني", "al-Zayyani", "Zayani", "El Zayany", "Ziani"),
    p!("أمزيان", "Amzyan", "Amziane", "Amzian"),
    p!("الحسني", "al-Hasani", "El Hassani", "El Hassany", "Hassani"),
    p!("الرامي", "al-Rami", "Rami", "El Ramy"),
    p!("المرابط", "al-Murabit", "El Mrabet", "El Morabet", "Mrabet"),
    p!("السباعي", "al-Siba'i", "Sebbai", "El Sebaey"),
    p!("الكتاني", "al-Kattani", "Kettani", "El Kattany"),
    p!("الأزرق", "al-Azraq", "Lazraq", "El Azrak", "Azrak"),
    p!("بوطالب", "Bu Talib", "Boutaleb", "Bou Taleb"),
    p!("الصنهاجي", "al-Sanhaji", "Senhaji", "El Sanhagy", "Sanhaji"),
    p!("الريفي", "al-Rifi", "Rifi", "El Rify"),
    p!("الدكالي", "al-Dukkali", "Doukkali", "El Dokkaly"),
];

/// Libyan family and tribe names.
pub static FAMILY_LY: &[Part] = &[
    p!(
        "الورفلي",
        "al-Warfalli",
        "El Ouarfalli",
        "El Warfally",
        "Warfalli",
        "Orfali"
    ),
    p!("الزنتاني", "al-Zintani", "Zintani", "El Zentany", "Zentani"),
    p!(
        "المصراتي",
        "al-Misrati",
        "El Misrati",
        "El Masraty",
        "Misrati",
        "Musrati"
    ),
    p!(
        "العبيدي",
        "al-Ubaydi",
        "El Obeidi",
        "El Obeidy",
        "Obeidi",
        "Al Obaidi",
        "Ubaidi"
    ),
    p!(
        "الفيتوري",
        "al-Fituri",
        "El Feitouri",
        "El Fitoury",
        "Fitouri",
        "Al Faitouri"
    ),
    p!(
        "البرعصي",
        "al-Bara'si",
        "El Baraassi",
        "El Baraasy",
        "Barassi"
    ),
    p!(
        "الشعيبي",
        "al-Shu'aybi",
        "Chouaibi",
        "El Shoaiby",
        "Shuaibi"
    ),
    p!(
        "الترهوني",
        "al-Tarhuni",
        "Tarhouni",
        "El Tarhouny",
        "Tarhuni"
    ),
    p!("المهدوي", "al-Mahdawi", "Mahdaoui", "El Mahdawy", "Mahdawi"),
    p!("الحاسي", "al-Hasi", "El Hassi", "El Hasy", "Hasi"),
    p!("المبروك", "al-Mabruk", "El Mabrouk", "El Mabrouk", "Mabruk"),
    p!("القماطي", "al-Qammati", "Gammati", "El Qammaty", "Gamati"),
];

/// Egyptian family names (many Egyptians carry a third given name instead).
pub static FAMILY_EG: &[Part] = &[
    p!(
        "شحاتة",
        "Shahata",
        "Chehata",
        "Shehata",
        "Shahatah",
        "Shihata"
    ),
    p!(
        "السيد",
        "al-Sayyid",
        "El Sayed",
        "El Sayed",
        "Elsayed",
        "Al Sayed"
    ),
    p!("حجازي", "Hijazi", "Hidjazi", "Hegazy", "Hegazi", "Hejazi"),
    p!("رجب", "Rajab", "Radjab", "Ragab", "Rageb"),
    p!("فودة", "Fuda", "Fouda", "Fouda", "Foda"),
    p!(
        "سليمان",
        "Sulayman",
        "Slimane",
        "Soliman",
        "Suleiman",
        "Souleymane",
        "Sleiman"
    ),
    p!("ناجي", "Naji", "Nadji", "Nagy", "Nagi"),
    p!("فرج", "Faraj", "Faradj", "Farag", "Farrag"),
    p!("غنيم", "Ghunaym", "Ghoneim", "Ghoneim", "Ghonim", "Ghuneim"),
    p!("زكي", "Zaki", "Zaki", "Zaky"),
    p!("بدوي", "Badawi", "Badaoui", "Badawy"),
    p!("حمودة", "Hamuda", "Hamouda", "Hamouda", "Hammouda"),
    p!(
        "أبو زيد",
        "Abu Zayd",
        "Abouzeid",
        "Abou Zeid",
        "Abu Zaid",
        "Abou Zaid"
    ),
    p!("عوض", "Awad", "Aouad", "Awad", "Awwad"),
    p!("شاهين", "Shahin", "Chahine", "Shaheen", "Shahine"),
    p!("فهمي", "Fahmi", "Fahmi", "Fahmy"),
    p!(
        "النجار",
        "al-Najjar",
        "Naddjar",
        "El Naggar",
        "Najjar",
        "Al Najar"
    ),
    p!(
        "الشناوي",
        "al-Shinnawi",
        "Chenaoui",
        "El Shenawy",
        "Shinawi"
    ),
    p!(
        "الدسوقي",
        "al-Dasuqi",
        "Dessouki",
        "El Desouky",
        "Desouki",
        "Dasuki"
    ),
    p!(
        "عبد الغفار",
        "Abd al-Ghaffar",
        "Abdelghaffar",
        "Abdel Ghaffar",
        "Abdulghaffar"
    ),
    p!(
        "الجمال",
        "al-Jammal",
        "Djemmal",
        "El Gammal",
        "Gammal",
        "Jammal"
    ),
    p!(
        "الجندي",
        "al-Jundi",
        "El Djoundi",
        "El Gendy",
        "Gendi",
        "Jundi"
    ),
];

/// Syrian and Iraqi family and tribe names.
pub static FAMILY_LEVANT: &[Part] = &[
    p!("درويش", "Darwish", "Derouiche", "Darwish", "Darwesh"),
    p!(
        "الخطيب",
        "al-Khatib",
        "El Khatib",
        "El Khateeb",
        "Khatib",
        "Al Khateeb"
    ),
    p!("حمدان", "Hamdan", "Hamdane", "Hamdan"),
    p!("الحموي", "al-Hamawi", "El Hamoui", "El Hamawy", "Hamwi"),
    p!("الحلبي", "al-Halabi", "El Halabi", "El Halaby", "Halabi"),
    p!(
        "الجبوري",
        "al-Juburi",
        "El Djebouri",
        "El Gebbory",
        "Al Jubouri",
        "Jubouri"
    ),
    p!(
        "الدليمي",
        "al-Dulaymi",
        "El Doulaimi",
        "El Dolaimy",
        "Al Dulaimi",
        "Dulaimi"
    ),
    p!(
        "الشمري",
        "al-Shammari",
        "Chammari",
        "El Shammary",
        "Al Shamari",
        "Shammari"
    ),
    p!(
        "الزبيدي",
        "al-Zubaydi",
        "El Zoubaidi",
        "El Zobaidy",
        "Al Zubaidi",
        "Zubaidi"
    ),
    p!("الراوي", "al-Rawi", "El Raoui", "El Rawy", "Al Rawi"),
    p!("العاني", "al-Ani", "El Ani", "El Any", "Al Ani"),
    p!("الهيتي", "al-Hiti", "El Hiti", "El Hity", "Al Hiti"),
    p!(
        "الفهداوي",
        "al-Fahdawi",
        "El Fahdaoui",
        "El Fahdawy",
        "Al Fahdawi"
    ),
    p!(
        "المشهداني",
        "al-Mashhadani",
        "El Mechhadani",
        "El Mashhadany",
        "Al Mashhadani"
    ),
    p!(
        "الخزرجي",
        "al-Khazraji",
        "El Khazradji",
        "El Khazragy",
        "Al Khazraji"
    ),
    p!(
        "السعدي",
        "al-Sa'di",
        "El Saadi",
        "El Saady",
        "Al Saadi",
        "Saadi"
    ),
    p!(
        "البياتي",
        "al-Bayati",
        "El Bayati",
        "El Bayaty",
        "Al Bayati"
    ),
    p!(
        "العكيدي",
        "al-Ukaydi",
        "El Okaidi",
        "El Okeidy",
        "Al Akidi",
        "Akaidi"
    ),
    p!("الحريري", "al-Hariri", "El Hariri", "El Harery", "Hariri"),
    p!("قباني", "Qabbani", "Kabbani", "Abbany", "Kabani"),
];

/// Sudanese family names (and given names used as family names).
pub static FAMILY_SD: &[Part] = &[
    p!("بابكر", "Babikir", "Babiker", "Babiker", "Babakr"),
    p!("خليفة", "Khalifa", "Khelifa", "Khalifa", "Khalifah"),
    p!("آدم", "Adam", "Adam", "Adam"),
    p!("النور", "al-Nur", "El Nour", "El Nour", "Elnour"),
    p!("الطيب", "al-Tayyib", "Tayeb", "El Tayeb", "Eltayeb"),
    p!("إسحاق", "Ishaq", "Ishak", "Ishak", "Ishag"),
    p!("يعقوب", "Ya'qub", "Yacoub", "Yacoub", "Yagoub"),
    p!(
        "عبد الرحيم",
        "Abd al-Rahim",
        "Abderrahim",
        "Abdel Rehim",
        "Abdelrahim"
    ),
    p!("الأمين", "al-Amin", "Lamine", "El Amin", "Elamin"),
    p!("حامد", "Hamid", "Hamed", "Hamed", "Hamid"),
];

/// Town or origin adjectives (nisba), used as laqab and in noms de guerre.
pub static NISBA: &[Part] = &[
    p!(
        "الجزائري",
        "al-Jaza'iri",
        "El Djazairi",
        "El Gazaery",
        "Al Jazairi",
        "Jazairi"
    ),
    p!(
        "التونسي",
        "al-Tunisi",
        "Ettounsi",
        "El Tonsy",
        "Al Tunisi",
        "Tounsi"
    ),
    p!("المصري", "al-Misri", "El Masri", "El Masry", "Al Masri"),
    p!("الليبي", "al-Libi", "El Libi", "El Leeby", "Al Libi"),
    p!("السوري", "al-Suri", "El Souri", "El Soury", "Al Suri"),
    p!("العراقي", "al-Iraqi", "El Iraki", "El Eraqy", "Al Iraqi"),
    p!(
        "السوداني",
        "al-Sudani",
        "El Soudani",
        "El Sodany",
        "Al Sudani"
    ),
    p!(
        "المغربي",
        "al-Maghribi",
        "El Maghrebi",
        "El Maghraby",
        "Al Maghribi"
    ),
    p!(
        "الوهراني",
        "al-Wahrani",
        "El Ouahrani",
        "El Wahrany",
        "Wahrani"
    ),
    p!("العنابي", "al-Annabi", "El Annabi", "El Annaby", "Annabi"),
    p!("الصفاقسي", "al-Safaqsi", "Sfaxi", "El Safaqsy", "Sfaqsi"),
    p!(
        "القيرواني",
        "al-Qayrawani",
        "El Kairouani",
        "El Qairawany",
        "Kairouani"
    ),
    p!(
        "الإسكندراني",
        "al-Iskandarani",
        "El Iskandarani",
        "El Eskandarany"
    ),
    p!("الفيومي", "al-Fayyumi", "El Fayoumi", "El Fayoumy"),
    p!("الأسواني", "al-Aswani", "El Assouani", "El Aswany"),
    p!("الدارفوري", "al-Darfuri", "El Darfouri", "El Darfory"),
    p!("البنغازي", "al-Binghazi", "El Benghazi", "El Benghazy"),
    p!(
        "الموصلي",
        "al-Mawsili",
        "El Moussili",
        "El Mosely",
        "Al Mosuli"
    ),
    p!("البصري", "al-Basri", "El Basri", "El Basry"),
    p!("الأنصاري", "al-Ansari", "El Ansari", "El Ansary"),
    p!("الحلبي", "al-Halabi", "El Halabi", "El Halaby"),
    p!(
        "الشنقيطي",
        "al-Shinqiti",
        "Chinguetti",
        "El Shinqity",
        "Al Chinguetti"
    ),
];

/// The "Frenchman" nisba, for converts' noms de guerre.
pub static NISBA_FARANSI: Part = p!(
    "الفرنسي",
    "al-Faransi",
    "El Faransi",
    "El Faransawy",
    "Al Firansi"
);

/// Mauritanian / Malian Arab family names (used after `Ould`).
pub static FAMILY_SAHEL: &[Part] = &[
    p!("أحمد", "Ahmad", "Ahmed", "Ahmed"),
    p!("سالم", "Salim", "Salem", "Salem"),
    p!("الشيخ", "al-Shaykh", "Cheikh", "El Sheikh", "Cheikhna"),
    p!("محمد", "Muhammad", "Mohamed", "Mohamed", "Mohamed"),
    p!(
        "عبد الله",
        "Abd Allah",
        "Abdallahi",
        "Abdallah",
        "Abdellahi"
    ),
    p!("بوبكر", "Bubakr", "Boubacar", "Boubakr", "Boubakar"),
    p!("سيدي", "Sidi", "Sidi", "Sidy"),
    p!("محمود", "Mahmud", "Mahmoud", "Mahmoud"),
    p!("اعلي", "A'li", "Ely", "Aly", "Eli"),
    p!("الحسن", "al-Hasan", "El Hassen", "El Hassan", "Lehsen"),
];

/// Persian given names and family names (Persian letters ی ک).
pub static PERSIAN_MALE: &[Part] = &[
    p!("رضا", "Reza", "Réza", "Reza", "Rida"),
    p!("حسین", "Hossein", "Hossein", "Hussein", "Hosein", "Husayn"),
    p!("مهدی", "Mehdi", "Mehdi", "Mahdy", "Mahdi"),
    p!("امیر", "Amir", "Amir", "Amir"),
    p!("حمید", "Hamid", "Hamid", "Hamid"),
    p!("جواد", "Javad", "Djavad", "Gawad", "Jawad"),
    p!("مجید", "Majid", "Madjid", "Maged", "Majeed"),
    p!("کاظم", "Kazem", "Kazem", "Kazem", "Kadhim"),
    p!("علی", "Ali", "Ali", "Aly"),
    p!(
        "محمد", "Mohammad", "Mohammad", "Mohamed", "Mohamad", "Muhammad"
    ),
    p!(
        "مرتضی",
        "Morteza",
        "Morteza",
        "Mortada",
        "Murtaza",
        "Murtada"
    ),
    p!("مسعود", "Masoud", "Massoud", "Masoud", "Masud"),
    p!("داوود", "Davoud", "Davoud", "Dawoud", "Davood", "Dawud"),
    p!("فرهاد", "Farhad", "Farhad", "Farhad"),
    p!("بهروز", "Behrouz", "Behrouz", "Bahrouz", "Behruz"),
    p!("سعید", "Saeed", "Saïd", "Saeed", "Said", "Saied"),
    p!("عباس", "Abbas", "Abbas", "Abbas"),
    p!("ناصر", "Naser", "Nasser", "Nasser", "Nasir"),
];
pub static PERSIAN_FEMALE: &[Part] = &[
    p!("فاطمه", "Fatemeh", "Fatemeh", "Fatma", "Fatima"),
    p!("زهرا", "Zahra", "Zahra", "Zahraa"),
    p!("مریم", "Maryam", "Maryam", "Mariam"),
    p!("لیلا", "Leila", "Leïla", "Laila", "Leyla"),
    p!("نرگس", "Narges", "Narguesse", "Narges", "Nargis"),
    p!("شیرین", "Shirin", "Chirine", "Shereen", "Shirine"),
];
pub static PERSIAN_FAMILY: &[Part] = &[
    p!("باقری", "Bagheri", "Bagheri", "Baqery", "Baqeri"),
    p!("حسینی", "Hosseini", "Hosseini", "Husseiny", "Hoseini"),
    p!("کریمی", "Karimi", "Karimi", "Karimy"),
    p!("تهرانی", "Tehrani", "Téhérani", "Tahrany", "Tihrani"),
    p!("محمدی", "Mohammadi", "Mohammadi", "Mohamady"),
    p!("صادقی", "Sadeghi", "Sadeghi", "Sadeqy", "Sadeqi"),
    p!("رضایی", "Rezaei", "Rezaï", "Rezaey", "Rezaie", "Rezai"),
    p!("جعفری", "Jafari", "Djafari", "Gaafary", "Jaafari"),
    p!("نوری", "Nouri", "Nouri", "Noury", "Noori"),
    p!("کاظمی", "Kazemi", "Kazemi", "Kazemy"),
    p!("قاسمی", "Ghasemi", "Ghassemi", "Qasemy", "Qasemi"),
    p!("یزدانی", "Yazdani", "Yazdani", "Yazdany"),
    p!("شیرازی", "Shirazi", "Chirazi", "Shirazy"),
    p!("اصفهانی", "Esfahani", "Esfahani", "Esfahany", "Isfahani"),
    p!("تبریزی", "Tabrizi", "Tabrizi", "Tabrizy"),
    p!("کرمانی", "Kermani", "Kermani", "Kermany"),
    p!("یزدی", "Yazdi", "Yazdi", "Yazdy"),
    p!("مشهدی", "Mashhadi", "Machhadi", "Mashhady"),
    p!("قزوینی", "Ghazvini", "Ghazvini", "Qazviny", "Qazvini"),
    p!("رشتی", "Rashti", "Rachti", "Rashty"),
    p!("همدانی", "Hamedani", "Hamedani", "Hamadany", "Hamadani"),
    p!("کاشانی", "Kashani", "Kachani", "Kashany"),
    p!("زنجانی", "Zanjani", "Zandjani", "Zangany"),
    p!("خراسانی", "Khorasani", "Khorassani", "Khorasany"),
];

/// Latin-script given and family names by origin.
pub static FR_GIVEN_M: &[LatinPart] = &[
    l!("Julien"),
    l!("Nicolas"),
    l!("Thomas"),
    l!("Pierre"),
    l!("Sébastien", "Sebastien"),
    l!("Maxime"),
    l!("Kévin", "Kevin"),
    l!("Romain"),
    l!("Quentin"),
    l!("Florian"),
    l!("Mathieu", "Matthieu"),
    l!("Jérôme", "Jerome"),
    l!("Cédric", "Cedric"),
    l!("Loïc", "Loic"),
    l!("Anthony"),
    l!("Jordan"),
    l!("Benoît", "Benoit"),
    l!("Grégory", "Gregory"),
    l!("Jean"),
    l!("Philippe"),
    l!("Olivier"),
    l!("Christophe"),
    l!("Alexandre"),
    l!("Guillaume"),
    l!("Vincent"),
    l!("David"),
    l!("Yann", "Yan"),
    l!("Dylan"),
    l!("Théo", "Theo"),
    l!("Hugo"),
    l!("Louis"),
    l!("Bastien"),
    l!("Adrien"),
    l!("Damien"),
    l!("Frédéric", "Frederic"),
    l!("Marc"),
];
pub static FR_GIVEN_F: &[LatinPart] = &[
    l!("Sophie"),
    l!("Camille"),
    l!("Émilie", "Emilie"),
    l!("Aurélie", "Aurelie"),
    l!("Claire"),
    l!("Manon"),
    l!("Laëtitia", "Laetitia"),
    l!("Céline", "Celine"),
    l!("Élodie", "Elodie"),
    l!("Marie"),
    l!("Julie"),
    l!("Pauline"),
    l!("Charlotte"),
    l!("Anaïs", "Anais"),
    l!("Mélanie", "Melanie"),
    l!("Sandrine"),
    l!("Nathalie"),
    l!("Chloé", "Chloe"),
    l!("Inès", "Ines"),
    l!("Océane", "Oceane"),
];
pub static FR_FAMILY: &[LatinPart] = &[
    l!("Moreau"),
    l!("Lefèvre", "Lefevre", "Lefebvre"),
    l!("Girard"),
    l!("Fontaine"),
    l!("Chevalier"),
    l!("Rousseau"),
    l!("Mercier"),
    l!("Blanchard"),
    l!("Gauthier", "Gautier"),
    l!("Perrin"),
    l!("Marchand"),
    l!("Duval"),
    l!("Lemaire"),
    l!("Renaud", "Renault"),
    l!("Carpentier"),
    l!("Vasseur"),
    l!("Leclercq", "Leclerc"),
    l!("Barbier"),
    l!("Brunet"),
    l!("Fabre"),
    l!("Morel"),
    l!("Picard"),
    l!("Roussel"),
    l!("Guérin", "Guerin"),
    l!("Peeters", "Peters"),
    l!("Janssens", "Jansens"),
    l!("De Smet", "Desmet"),
    l!("Claes"),
    l!("Lambert"),
    l!("Bonnet"),
    l!("François", "Francois"),
    l!("Martinez"),
    l!("Legrand"),
    l!("Garnier"),
    l!("Faure"),
    l!("Rolland", "Roland"),
    l!("Dumont"),
    l!("Lacroix"),
    l!("Aubert"),
    l!("Boyer"),
    l!("Caron"),
    l!("Huet"),
    l!("Masson"),
    l!("Noël", "Noel"),
    l!("Poirier"),
    l!("Collet"),
    l!("Hamon"),
    l!("Besson"),
    l!("Tessier"),
    l!("Prévost", "Prevost"),
    l!("Bouvier"),
    l!("Charpentier"),
    l!("Lemoine"),
    l!("Joly"),
    l!("Maillard"),
    l!("Royer"),
    l!("Vermeulen"),
    l!("Maes"),
    l!("Wouters"),
    l!("Dubois"),
    l!("Lejeune"),
    l!("Delvaux"),
];
pub static ES_GIVEN: &[LatinPart] = &[
    l!("Javier"),
    l!("Alejandro"),
    l!("Sergio"),
    l!("Rubén", "Ruben"),
    l!("Lucía", "Lucia"),
    l!("Marta"),
    l!("Marco"),
    l!("Luca"),
    l!("Davide"),
    l!("Giulia"),
    l!("Jonas"),
    l!("Lukas", "Lucas"),
    l!("Tobias"),
    l!("Lena"),
    l!("Daniel"),
    l!("Oliver"),
    l!("Hannah", "Hanna"),
    l!("Pablo"),
    l!("Diego"),
    l!("Carlos"),
    l!("Manuel"),
    l!("Álvaro", "Alvaro"),
    l!("Carmen"),
    l!("Elena"),
    l!("Paula"),
    l!("Matteo"),
    l!("Francesco"),
    l!("Andrea"),
    l!("Chiara"),
    l!("Federica"),
    l!("Felix"),
    l!("Maximilian"),
    l!("Jan"),
    l!("Sophie"),
    l!("Katharina"),
    l!("Samuel"),
    l!("Jack"),
    l!("Harry"),
    l!("Emily"),
    l!("Joshua"),
    l!("Liam"),
];
pub static ES_FAMILY: &[LatinPart] = &[
    l!("Fernández", "Fernandez"),
    l!("Ortega"),
    l!("Navarro"),
    l!("Romero"),
    l!("Castillo"),
    l!("Esposito"),
    l!("Bianchi"),
    l!("Greco"),
    l!("Colombo"),
    l!("Ricci"),
    l!("Becker"),
    l!("Schneider"),
    l!("Hoffmann", "Hofmann"),
    l!("Krüger", "Krueger", "Kruger"),
    l!("Walker"),
    l!("Fletcher"),
    l!("Bennett", "Benett"),
    l!("Hughes"),
    l!("Moreno"),
    l!("Jiménez", "Jimenez"),
    l!("Ruiz"),
    l!("Álvarez", "Alvarez"),
    l!("Molina"),
    l!("Delgado"),
    l!("Vargas"),
    l!("Serrano"),
    l!("Ramos"),
    l!("Gil"),
    l!("Marín", "Marin"),
    l!("Conti"),
    l!("Mancini"),
    l!("Lombardi"),
    l!("Moretti"),
    l!("Barbieri"),
    l!("Fontana"),
    l!("Caruso"),
    l!("Rinaldi"),
    l!("Galli"),
    l!("Wolf"),
    l!("Neumann"),
    l!("Schwarz"),
    l!("Zimmermann"),
    l!("Braun"),
    l!("Hartmann"),
    l!("Lange"),
    l!("Werner"),
    l!("Thompson"),
    l!("Robinson"),
    l!("Wright"),
    l!("Clarke", "Clark"),
    l!("Turner"),
    l!("Parker"),
    l!("Cooper"),
];
pub static TR_GIVEN: &[LatinPart] = &[
    l!("Mehmet", "Mehmed"),
    l!("Mustafa"),
    l!("Ahmet", "Ahmed"),
    l!("Emre"),
    l!("Burak"),
    l!("Hakan"),
    l!("Yusuf"),
    l!("Ömer", "Omer"),
    l!("Murat"),
    l!("Serkan"),
    l!("Oğuz", "Oguz"),
    l!("Kemal"),
    l!("Hasan"),
    l!("İbrahim", "Ibrahim"),
    l!("Osman"),
    l!("Halil"),
    l!("Fatih"),
    l!("Volkan"),
    l!("Cem"),
    l!("Selim"),
    l!("Erkan"),
    l!("Tolga"),
    l!("Uğur", "Ugur"),
];
pub static TR_GIVEN_F: &[LatinPart] = &[
    l!("Ayşe", "Ayse"),
    l!("Elif"),
    l!("Zeynep"),
    l!("Fatma"),
    l!("Emine"),
    l!("Merve"),
    l!("Büşra", "Busra"),
    l!("Esra"),
    l!("Hatice"),
    l!("Özlem", "Ozlem"),
];
pub static TR_FAMILY: &[LatinPart] = &[
    l!("Yılmaz", "Yilmaz"),
    l!("Kaya"),
    l!("Demir"),
    l!("Şahin", "Sahin"),
    l!("Çelik", "Celik"),
    l!("Öztürk", "Ozturk"),
    l!("Aydın", "Aydin"),
    l!("Arslan", "Aslan"),
    l!("Doğan", "Dogan"),
    l!("Kılıç", "Kilic"),
    l!("Korkmaz"),
    l!("Erdem"),
];
pub static CAUCASUS_GIVEN: &[LatinPart] = &[
    l!("Ruslan"; "Руслан", "Rouslan"),
    l!("Magomed"; "Магомед", "Magomet"),
    l!("Timur"; "Тимур", "Timour"),
    l!("Aslan"; "Аслан"),
    l!("Rustam"; "Рустам", "Roustam"),
    l!("Shamil"; "Шамиль", "Chamil", "Schamil"),
    l!("Islam"; "Ислам"),
    l!("Zaur"; "Заур"),
    l!("Ibragim"; "Ибрагим", "Ibrahim"),
    l!("Murad"; "Мурад", "Mourad"),
    l!("Rasul"; "Расул", "Rassoul"),
    l!("Arsen"; "Арсен"),
    l!("Adam"; "Адам"),
    l!("Umar"; "Умар", "Oumar"),
    l!("Khamzat"; "Хамзат", "Hamzat", "Chamsat"),
    l!("Said"; "Саид", "Saïd"),
    l!("Akhmed"; "Ахмед", "Ahmed", "Achmed"),
    l!("Dzhabrail"; "Джабраил", "Djabrail", "Jabrail"),
];
pub static CAUCASUS_GIVEN_F: &[LatinPart] = &[
    l!("Patimat"; "Патимат", "Patimate"),
    l!("Madina"; "Мадина"),
    l!("Zarema"; "Зарема"),
    l!("Aminat"; "Аминат", "Aminate"),
    l!("Khava"; "Хава", "Hava"),
];
pub static CAUCASUS_FAMILY: &[LatinPart] = &[
    l!("Magomedov"; "Магомедов", "Magomedow"),
    l!("Gadzhiev"; "Гаджиев", "Gadjiev", "Gadzhiyev"),
    l!("Khasanov"; "Хасанов", "Hasanov", "Chassanow"),
    l!("Isaev"; "Исаев", "Isayev", "Issaev"),
    l!("Akhmedov"; "Ахмедов", "Ahmedov", "Achmedow"),
    l!("Ibragimov"; "Ибрагимов", "Ibraguimov"),
    l!("Kurbanov"; "Курбанов", "Kourbanov"),
    l!("Saidov"; "Саидов", "Saydov"),
    l!("Abdulaev"; "Абдулаев", "Abdulayev", "Abdoulaev"),
    l!("Tsakaev"; "Цакаев", "Tsakayev"),
];
pub static SAHEL_GIVEN_M: &[LatinPart] = &[
    l!("Amadou", "Ahmadou"),
    l!("Oumar", "Umar"),
    l!("Moussa", "Musa"),
    l!("Boubacar", "Boubakar"),
    l!("Hamadou", "Hamadoun"),
    l!("Souleymane", "Suleiman"),
    l!("Mamadou"),
    l!("Seydou", "Seidou"),
    l!("Aliou", "Alioune"),
    l!("Ousmane", "Usman"),
    l!("Ibrahima", "Ibrahim"),
    l!("Adama"),
    l!("Abdoulaye", "Abdullahi"),
    l!("Issa", "Isa"),
    l!("Hassane", "Hassan"),
    l!("Idrissa", "Idris"),
    l!("Yacouba", "Yakuba"),
    l!("Mahamadou", "Mahamado"),
    l!("Salif"),
    l!("Bakary", "Bakari"),
];
pub static SAHEL_GIVEN_F: &[LatinPart] = &[
    l!("Fatoumata", "Fatimata"),
    l!("Aïssata", "Aissata"),
    l!("Mariam", "Mariame"),
    l!("Kadidia", "Kadidiatou"),
    l!("Awa"),
    l!("Hawa", "Haoua"),
    l!("Rokia", "Rokiatou"),
    l!("Oumou", "Umu"),
    l!("Safiatou", "Safia"),
];
pub static SAHEL_FAMILY: &[LatinPart] = &[
    l!("Diallo", "Jallow"),
    l!("Traoré", "Traore"),
    l!("Maïga", "Maiga"),
    l!("Cissé", "Cisse"),
    l!("Touré", "Toure"),
    l!("Sangaré", "Sangare"),
    l!("Coulibaly", "Kulibali"),
    l!("Keïta", "Keita"),
    l!("Konaté", "Konate"),
    l!("Dicko", "Diko"),
    l!("Sidibé", "Sidibe"),
    l!("Sow", "Sow"),
    l!("Issoufou", "Issifou"),
    l!("Garba"),
    l!("Abdou", "Abdu"),
    l!("Bâ", "Ba"),
    l!("Kané", "Kane"),
    l!("Diarra", "Jara"),
    l!("Samaké", "Samake"),
    l!("Doumbia", "Dumbia"),
    l!("Sissoko", "Cissoko"),
    l!("Haïdara", "Haidara"),
    l!("Tandia"),
    l!("Mahamane", "Mahaman"),
    l!("Oumarou", "Umaru"),
    l!("Hamani"),
    l!("Moumouni", "Mumuni"),
    l!("Ag Alhousseyni", "Ag Alhousseini"),
    l!("Ag Ibrahim"),
    l!("Ag Mohamed", "Ag Mohammed"),
    l!("Walet Mohamed"),
    l!("Barry", "Bari"),
    l!("Ouédraogo", "Ouedraogo"),
    l!("Sawadogo"),
    l!("Tamboura"),
    l!("Guindo"),
    l!("Dembélé", "Dembele"),
];

/// Word used in organisation names, with an English and a French gloss.
#[derive(Debug)]
pub struct OrgWord {
    pub part: Part,
    pub gloss_en: &'static str,
    pub gloss_fr: &'static str,
}

macro_rules! w {
    ($ar:expr, $en:expr, $fr:expr, $eg:expr, $gen:expr, $gfr:expr) => {
        OrgWord {
            part: p!($ar, $en, $fr, $eg),
            gloss_en: $gen,
            gloss_fr: $gfr,
        }
    };
}

/// Neutral nouns (nature, places) used to build fictitious organisation names.
pub static ORG_WORDS: &[OrgWord] = &[
    w!(
        "الرمال",
        "al-Rimal",
        "El Rimal",
        "El Remal",
        "Sands",
        "des Sables"
    ),
    w!(
        "النخيل",
        "al-Nakhil",
        "En Nakhil",
        "El Nakheel",
        "Palm Trees",
        "des Palmiers"
    ),
    w!(
        "الزيتون",
        "al-Zaytun",
        "Ez Zitoun",
        "El Zeitoun",
        "Olive",
        "de l'Olivier"
    ),
    w!(
        "الواحة",
        "al-Waha",
        "El Ouaha",
        "El Waha",
        "Oasis",
        "de l'Oasis"
    ),
    w!(
        "القمر",
        "al-Qamar",
        "El Kamar",
        "El Amar",
        "Moon",
        "de la Lune"
    ),
    w!(
        "النجوم",
        "al-Nujum",
        "En Noudjoum",
        "El Nogoum",
        "Stars",
        "des Étoiles"
    ),
    w!(
        "الجبال",
        "al-Jibal",
        "El Djibal",
        "El Gebal",
        "Mountains",
        "des Montagnes"
    ),
    w!(
        "الوادي",
        "al-Wadi",
        "El Oued",
        "El Wady",
        "Valley",
        "de la Vallée"
    ),
    w!(
        "الياسمين",
        "al-Yasmin",
        "El Yasmine",
        "El Yasmeen",
        "Jasmine",
        "du Jasmin"
    ),
    w!(
        "البستان",
        "al-Bustan",
        "El Boustane",
        "El Bostan",
        "Orchard",
        "du Verger"
    ),
    w!(
        "المنارة",
        "al-Manara",
        "El Manara",
        "El Manara",
        "Lighthouse",
        "du Phare"
    ),
    w!(
        "الغزالة",
        "al-Ghazala",
        "El Ghazala",
        "El Ghazala",
        "Gazelle",
        "de la Gazelle"
    ),
    w!(
        "الروضة",
        "al-Rawda",
        "Er Raouda",
        "El Rawda",
        "Garden",
        "du Jardin"
    ),
    w!(
        "الزهور",
        "al-Zuhur",
        "Ez Zouhour",
        "El Zohour",
        "Flowers",
        "des Fleurs"
    ),
    w!("البحر", "al-Bahr", "El Bahr", "El Bahr", "Sea", "de la Mer"),
    w!(
        "الأفق",
        "al-Ufuq",
        "El Oufouk",
        "El Ofoq",
        "Horizon",
        "de l'Horizon"
    ),
    w!(
        "الشروق",
        "al-Shuruq",
        "Ech Chourouk",
        "El Shorouk",
        "Sunrise",
        "du Levant"
    ),
    w!(
        "الأنوار",
        "al-Anwar",
        "El Anouar",
        "El Anwar",
        "Lights",
        "des Lumières"
    ),
    w!("الأرز", "al-Arz", "El Arz", "El Arz", "Cedars", "des Cèdres"),
    w!(
        "التلال",
        "al-Tilal",
        "Et Tilal",
        "El Telal",
        "Hills",
        "des Collines"
    ),
    w!(
        "المرجان",
        "al-Marjan",
        "El Mardjane",
        "El Morgan",
        "Coral",
        "du Corail"
    ),
    w!(
        "البرج",
        "al-Burj",
        "El Bordj",
        "El Borg",
        "Tower",
        "de la Tour"
    ),
    w!(
        "الرياح",
        "al-Riyah",
        "Er Riyah",
        "El Reyah",
        "Winds",
        "des Vents"
    ),
    w!(
        "الصخور",
        "al-Sukhur",
        "Es Soukhour",
        "El Sokhour",
        "Rocks",
        "des Rochers"
    ),
    w!(
        "الغابة",
        "al-Ghaba",
        "El Ghaba",
        "El Ghaba",
        "Forest",
        "de la Forêt"
    ),
    w!(
        "الأمواج",
        "al-Amwaj",
        "El Amouadj",
        "El Amwag",
        "Waves",
        "des Vagues"
    ),
    w!(
        "الثريا",
        "al-Thurayya",
        "Et Thouraya",
        "El Soraya",
        "Pleiades",
        "des Pléiades"
    ),
    w!(
        "السنديان",
        "al-Sindiyan",
        "Es Sindiane",
        "El Sendian",
        "Oak",
        "du Chêne"
    ),
    w!(
        "الصفصاف",
        "al-Safsaf",
        "Es Safsaf",
        "El Safsaf",
        "Willow",
        "du Saule"
    ),
    w!(
        "الكثبان",
        "al-Kuthban",
        "El Kothbane",
        "El Kosban",
        "Dunes",
        "des Dunes"
    ),
    w!(
        "الينابيع",
        "al-Yanabi'",
        "El Yanabia",
        "El Yanabee",
        "Springs",
        "des Sources"
    ),
    w!(
        "السحاب",
        "al-Sahab",
        "Es Sahab",
        "El Sahab",
        "Clouds",
        "des Nuages"
    ),
];

/// Latin-only place words for trading companies.
pub static PLACE_WORDS: &[&str] = &[
    "Hoggar",
    "Tassili",
    "Medjerda",
    "Fezzan",
    "Djerba",
    "Kerkennah",
    "Sahel",
    "Atlas",
    "Nile Delta",
    "Sinai",
    "Cyrenaica",
    "Tibesti",
    "Aïr",
    "Adrar",
    "Mzab",
    "Souss",
    "Tafilalet",
    "Jebel Akhdar",
    "Chott",
    "Ahaggar",
    "Nefzaoua",
    "Siwa",
    "Kufra",
    "Ghadames",
];

/// A birth place: town and the country it is in (English name).
pub static PLACES: &[(&str, &[&str])] = &[
    (
        "dz",
        &[
            "Alger",
            "Oran",
            "Constantine",
            "Sétif",
            "Batna",
            "Blida",
            "Tlemcen",
            "Annaba",
            "Béjaïa",
            "Djelfa",
            "Biskra",
            "Tamanrasset",
            "El Oued",
            "Ouargla",
            "Tébessa",
            "Médéa",
        ],
    ),
    (
        "tn",
        &[
            "Tunis",
            "Sfax",
            "Sousse",
            "Kairouan",
            "Bizerte",
            "Gabès",
            "Kasserine",
            "Sidi Bouzid",
            "Médenine",
            "Ben Guerdane",
            "Gafsa",
            "Monastir",
        ],
    ),
    (
        "ma",
        &[
            "Casablanca",
            "Fès",
            "Tanger",
            "Marrakech",
            "Tétouan",
            "Oujda",
            "Agadir",
            "Meknès",
        ],
    ),
    (
        "ly",
        &[
            "Tripoli", "Benghazi", "Misrata", "Derna", "Sabha", "Zawiya", "Sirte", "Ajdabiya",
            "Zintan", "Ghat",
        ],
    ),
    (
        "eg",
        &[
            "Cairo",
            "Alexandria",
            "Giza",
            "Asyut",
            "Minya",
            "Sohag",
            "Mansoura",
            "Zagazig",
            "Ismailia",
            "Arish",
            "Faiyum",
            "Qena",
        ],
    ),
    (
        "sd",
        &[
            "Khartoum",
            "Omdurman",
            "Nyala",
            "El Fasher",
            "Kassala",
            "Port Sudan",
            "El Obeid",
            "Geneina",
        ],
    ),
    (
        "sy",
        &[
            "Aleppo",
            "Homs",
            "Hama",
            "Damascus",
            "Deir ez-Zor",
            "Raqqa",
            "Idlib",
            "Latakia",
        ],
    ),
    (
        "iq",
        &[
            "Baghdad", "Mosul", "Fallujah", "Ramadi", "Kirkuk", "Hit", "Basra", "Samarra",
        ],
    ),
    (
        "ml",
        &[
            "Gao",
            "Tombouctou",
            "Kidal",
            "Mopti",
            "Bamako",
            "Ménaka",
            "Ségou",
        ],
    ),
    (
        "ne",
        &["Niamey", "Agadez", "Tahoua", "Zinder", "Diffa", "Tillabéri"],
    ),
    ("mr", &["Nouakchott", "Nouadhibou", "Atar", "Kiffa", "Néma"]),
    (
        "fr",
        &[
            "Marseille",
            "Lyon",
            "Lille",
            "Toulouse",
            "Saint-Denis",
            "Roubaix",
            "Nice",
            "Strasbourg",
            "Nîmes",
        ],
    ),
    ("be", &["Bruxelles", "Anvers", "Liège", "Charleroi"]),
    ("tr", &["Istanbul", "Ankara", "Gaziantep", "Konya", "Adana"]),
    ("ru", &["Makhachkala", "Grozny", "Nalchik", "Kazan"]),
    ("ir", &["Tehran", "Mashhad", "Isfahan", "Ahvaz"]),
    ("es", &["Madrid", "Barcelona", "Ceuta", "Melilla"]),
    ("it", &["Milano", "Torino", "Roma", "Napoli"]),
    ("de", &["Hamburg", "Köln", "Berlin", "Bremen"]),
    ("gb", &["Birmingham", "Leeds", "London", "Cardiff"]),
];

/// English country name for an ISO code used in [`PLACES`].
pub fn country_name(code: &str) -> &'static str {
    match code {
        "dz" => "Algeria",
        "tn" => "Tunisia",
        "ma" => "Morocco",
        "ly" => "Libya",
        "eg" => "Egypt",
        "sd" => "Sudan",
        "sy" => "Syria",
        "iq" => "Iraq",
        "ml" => "Mali",
        "ne" => "Niger",
        "mr" => "Mauritania",
        "fr" => "France",
        "be" => "Belgium",
        "tr" => "Türkiye",
        "ru" => "Russia",
        "ir" => "Iran",
        "es" => "Spain",
        "it" => "Italy",
        "de" => "Germany",
        "gb" => "United Kingdom",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arabic_tables() -> Vec<(&'static str, &'static [Part])> {
        vec![
            ("MALE", MALE),
            ("ABD", ABD),
            ("DIN", DIN),
            ("FEMALE", FEMALE),
            ("FAMILY_DZ", FAMILY_DZ),
            ("FAMILY_TN", FAMILY_TN),
            ("FAMILY_MA", FAMILY_MA),
            ("FAMILY_LY", FAMILY_LY),
            ("FAMILY_EG", FAMILY_EG),
            ("FAMILY_LEVANT", FAMILY_LEVANT),
            ("FAMILY_SD", FAMILY_SD),
            ("NISBA", NISBA),
            ("FAMILY_SAHEL", FAMILY_SAHEL),
            ("PERSIAN_MALE", PERSIAN_MALE),
            ("PERSIAN_FEMALE", PERSIAN_FEMALE),
            ("PERSIAN_FAMILY", PERSIAN_FAMILY),
        ]
    }

    fn is_arabic_letter(c: char) -> bool {
        ('\u{0621}'..='\u{064A}').contains(&c) || "پچژگکی".contains(c)
    }

    #[test]
    fn arabic_forms_are_arabic_and_latin_forms_are_latin() {
        for (table, parts) in arabic_tables() {
            for p in parts {
                assert!(
                    p.ar.chars().all(|c| is_arabic_letter(c) || c == ' '),
                    "{table}: {:?} has a non-Arabic letter",
                    p.ar
                );
                for s in [p.en, p.fr, p.eg].iter().chain(p.alt) {
                    assert!(!s.is_empty() && s.trim() == *s, "{table} {}: {s:?}", p.ar);
                    assert!(
                        s.chars().all(|c| c.is_alphabetic() && !is_arabic_letter(c) || " -'".contains(c)),
                        "{table} {}: {s:?} is not a Latin spelling",
                        p.ar
                    );
                }
            }
        }
    }

    #[test]
    fn article_in_arabic_matches_article_in_english() {
        // al-X in the academic spelling is ال in Arabic script, and the
        // Latin has at least as many words (Abd al-Qadir: two and two).
        for (table, parts) in arabic_tables() {
            for p in parts {
                let words_ar = p.ar.split(' ').count();
                let words_en = p.en.split(' ').count();
                // Arabic glues some particles the Latin splits (بوزيد = Bu Zayd).
                assert!(words_en >= words_ar, "{table}: {} vs {}", p.ar, p.en);
                if words_ar != words_en {
                    continue;
                }
                for (ar, en) in p.ar.split(' ').zip(p.en.split(' ')) {
                    if en.starts_with("al-") {
                        assert!(ar.starts_with("ال"), "{table}: {ar} vs {en}");
                    }
                }
            }
        }
    }

    #[test]
    fn organisation_words_and_places_are_filled() {
        for w in ORG_WORDS {
            assert!(w.part.ar.starts_with("ال"), "{}", w.part.ar);
            assert!(
                w.part.en.starts_with("al-") && !w.gloss_en.is_empty() && !w.gloss_fr.is_empty()
            );
        }
        for (cc, towns) in PLACES {
            assert!(!country_name(cc).is_empty() && !towns.is_empty(), "{cc}");
        }
    }
}
