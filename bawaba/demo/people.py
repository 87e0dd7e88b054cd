"""Names, phone formats and where people live, for the demo data."""

# (Latin spelling as on an Algerian ID card, Arabic spelling)
FIRST_NAMES_MALE = [
    ("Mohamed", "محمد"), ("Ahmed", "أحمد"), ("Yacine", "ياسين"), ("Karim", "كريم"), ("Sofiane", "سفيان"),
    ("Amine", "أمين"), ("Walid", "وليد"), ("Nassim", "نسيم"), ("Rachid", "رشيد"), ("Djamel", "جمال"),
    ("Mourad", "مراد"), ("Abdelkader", "عبد القادر"), ("Bilal", "بلال"), ("Hichem", "هشام"), ("Farid", "فريد"),
    ("Samir", "سمير"), ("Lotfi", "لطفي"), ("Redouane", "رضوان"), ("Islem", "إسلام"), ("Oussama", "أسامة"),
    ("Abderrahmane", "عبد الرحمن"), ("Said", "سعيد"), ("Omar", "عمر"), ("Fateh", "فاتح"), ("Khaled", "خالد"),
    ("Noureddine", "نور الدين"), ("Hamza", "حمزة"), ("Zakaria", "زكرياء"), ("Adel", "عادل"), ("Mehdi", "مهدي"),
    ("Ilyes", "إلياس"), ("Anis", "أنيس"), ("Aymen", "أيمن"), ("Salim", "سليم"), ("Tarek", "طارق"),
    ("Mustapha", "مصطفى"), ("Kamel", "كمال"), ("Nabil", "نبيل"), ("Riad", "رياض"), ("Lyes", "لياس"),
    ("Abdelhak", "عبد الحق"), ("Brahim", "إبراهيم"), ("Youcef", "يوسف"), ("Smail", "إسماعيل"), ("Toufik", "توفيق"),
]
FIRST_NAMES_FEMALE = [
    ("Amina", "أمينة"), ("Fatima", "فاطمة"), ("Khadidja", "خديجة"), ("Meriem", "مريم"), ("Nadia", "نادية"),
    ("Sarah", "سارة"), ("Yasmine", "ياسمين"), ("Lamia", "لمياء"), ("Samira", "سميرة"), ("Imane", "إيمان"),
    ("Soumia", "سمية"), ("Amel", "أمال"), ("Asma", "أسماء"), ("Hanane", "حنان"), ("Kenza", "كنزة"),
    ("Lina", "لينا"), ("Rym", "ريم"), ("Sabrina", "صبرينة"), ("Wafa", "وفاء"), ("Hayat", "حياة"),
    ("Nesrine", "نسرين"), ("Fella", "فلة"), ("Dounia", "دنيا"), ("Houria", "حورية"), ("Zineb", "زينب"),
    ("Feriel", "فريال"), ("Chahinez", "شهيناز"), ("Nawel", "نوال"), ("Selma", "سلمى"), ("Malika", "مليكة"),
    ("Djamila", "جميلة"), ("Ouarda", "وردة"), ("Karima", "كريمة"), ("Radia", "راضية"), ("Sihem", "سهام"),
    ("Leila", "ليلى"), ("Assia", "آسيا"), ("Hadjer", "هاجر"), ("Nour El Houda", "نور الهدى"), ("Rahma", "رحمة"),
]
LAST_NAMES = [
    ("Benali", "بن علي"), ("Bensalah", "بن صالح"), ("Haddad", "حداد"), ("Mebarki", "مباركي"),
    ("Boudiaf", "بوضياف"), ("Belkacem", "بلقاسم"), ("Saidi", "سعيدي"), ("Hamidi", "حميدي"), ("Brahimi", "براهيمي"),
    ("Zerrouki", "زروقي"), ("Cherif", "شريف"), ("Khelifi", "خليفي"), ("Mansouri", "منصوري"), ("Bouzid", "بوزيد"),
    ("Djebbar", "جبار"), ("Meziane", "مزيان"), ("Ait Ahmed", "آيت أحمد"), ("Amrani", "عمراني"),
    ("Rahmani", "رحماني"), ("Boukhari", "بوخاري"), ("Larbi", "العربي"), ("Touati", "تواتي"),
    ("Benaissa", "بن عيسى"), ("Guerfi", "قرفي"), ("Hadj Ali", "حاج علي"), ("Kaci", "قاسي"), ("Ouali", "والي"),
    ("Slimani", "سليماني"), ("Belaid", "بلعيد"), ("Bouaziz", "بوعزيز"), ("Benyahia", "بن يحيى"),
    ("Lounis", "لونيس"), ("Chaoui", "شاوي"), ("Zitouni", "زيتوني"), ("Ferhat", "فرحات"),
    ("Bouchareb", "بوشارب"), ("Messaoudi", "مسعودي"), ("Taleb", "طالب"), ("Benmoussa", "بن موسى"),
    ("Yahiaoui", "يحياوي"), ("Kaddour", "قدور"), ("Bellil", "بليل"), ("Aouadi", "عوادي"), ("Ghezali", "غزالي"),
    ("Hamdi", "حمدي"), ("Ziani", "زياني"), ("Berkani", "بركاني"), ("Djaballah", "جاب الله"),
    ("Mokrani", "مقراني"), ("Benchikh", "بن الشيخ"), ("Tebbal", "طبال"), ("Boumaza", "بومعزة"),
    ("Laib", "لعيب"), ("Sahraoui", "صحراوي"), ("Bennacer", "بن ناصر"), ("Hamadache", "حماداش"),
    ("Remili", "رميلي"), ("Oukil", "وكيل"), ("Mahdjoub", "محجوب"), ("Chekroun", "شقرون"),
]

# Mobile prefixes by operator (Ooredoo 05, Mobilis 06, Djezzy 07), all valid Algerian mobile ranges.
MOBILE_PREFIXES = ["550", "551", "552", "555", "556", "560", "561", "540", "541",
                   "661", "662", "663", "664", "665", "666", "667", "668", "669", "696", "697", "698", "699",
                   "770", "771", "772", "773", "774", "775", "776", "777", "778", "779", "780", "781", "790", "791"]
# Fixed-line area codes of the most populous wilayas (wilaya code -> area code).
AREA_CODES = {"16": "21", "31": "41", "25": "31", "19": "36", "09": "25", "23": "38", "15": "26",
              "06": "34", "05": "33", "13": "43", "02": "27", "35": "24", "42": "24", "29": "45",
              "27": "45", "10": "26", "26": "25", "07": "33", "21": "38", "18": "34", "22": "48"}

# Rough share of requests by wilaya, following population (2008 census, thousands, rounded; new wilayas
# small). Wilayas not listed get the default weight, so every wilaya can appear.
WILAYA_WEIGHTS = {
    "16": 2990, "31": 1450, "25": 940, "19": 1490, "09": 1000, "05": 1120, "15": 1130, "06": 910,
    "17": 1090, "13": 950, "02": 1000, "35": 800, "10": 700, "14": 850, "26": 820, "29": 790,
    "23": 610, "07": 730, "21": 900, "22": 600, "27": 740, "43": 770, "48": 730, "42": 590, "34": 630,
    "28": 990, "44": 770, "24": 480, "18": 640, "04": 620, "12": 650, "40": 390, "41": 440, "46": 370,
    "36": 410, "38": 300, "20": 330, "30": 560, "39": 650, "47": 360, "03": 450, "08": 270, "01": 400,
    "32": 230, "45": 190, "11": 180, "33": 50, "37": 60,
}
DEFAULT_WILAYA_WEIGHT = 150

MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    # Algerian usage: the French-derived month names (جانفي ...), not the Levantine ones.
    "ar": ["جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان", "جويلية", "أوت", "سبتمبر", "أكتوبر", "نوفمبر",
           "ديسمبر"],
    "arq-Latn": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
}

EMAIL_DOMAINS = ["example.com", "example.net", "example.org"]  # reserved domains: never a real mailbox
