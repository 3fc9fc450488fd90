"""Demo catalog for seed_demo: believable products in English and Japanese."""

CATEGORIES = (
    {
        "slug": "kitchen",
        "name": "Kitchen",
        "name_ja": "キッチン用品",
    },
    {
        "slug": "tea-coffee",
        "name": "Tea & coffee",
        "name_ja": "お茶・コーヒー",
    },
    {
        "slug": "home-living",
        "name": "Home & living",
        "name_ja": "暮らし・インテリア",
    },
    {
        "slug": "stationery",
        "name": "Stationery",
        "name_ja": "文房具",
    },
    {
        "slug": "electronics",
        "name": "Electronics",
        "name_ja": "家電・ガジェット",
    },
    {
        "slug": "books",
        "name": "Books",
        "name_ja": "本",
    },
    {
        "slug": "toys-games",
        "name": "Toys & games",
        "name_ja": "おもちゃ・ゲーム",
    },
    {
        "slug": "outdoor-travel",
        "name": "Outdoor & travel",
        "name_ja": "アウトドア・トラベル",
    },
)

PRODUCTS = (
    {
        "sku": "KIT-001",
        "category": "kitchen",
        "name": "Induction rice cooker, 5.5 go",
        "name_ja": "IH炊飯器 5.5合炊き",
        "search_terms": "rice cooker",
        "search_terms_ja": "すいはんき ジャー 炊飯ジャー",
        "description": (
            "An induction-heating rice cooker with a 2 mm multilayer inner pot that "
            "cooks up to 5.5 go (about 1 L) of rice. It has settings for white rice, "
            "brown rice, mixed rice and porridge, plus a 24-hour timer. The inner pot "
            "and steam cap lift out and are dishwasher safe."
        ),
        "description_ja": (
            "厚さ2mmの多層内釜を採用したIH炊飯器で、最大5.5合まで炊けます。"
            "白米・玄米・炊き込みご飯・おかゆのメニューと24時間予約タイマーを"
            "搭載しています。内釜と蒸気キャップは取り外して食洗機で洗えます。"
        ),
        "price": 32800,
        "stock": 14,
        "manual_url": "https://hoshii.example/manuals/kit-001.pdf",
        "documents": "both",
    },
    {
        "sku": "KIT-002",
        "category": "kitchen",
        "name": "Arita porcelain dinner plates, set of 5 (21 cm)",
        "name_ja": "有田焼 中皿 21cm 5枚セット",
        "name_ja_reading": "ありたやき ちゅうざら 21せんち 5まいせっと",
        "search_terms": "dish dishes plate",
        "search_terms_ja": "さら おさら 食器",
        "description": (
            "Five 21 cm plates made and glazed by a kiln in Arita, Saga, each with a "
            "different hand-painted indigo pattern. They are sized for a main dish or "
            "a generous salad. Microwave and dishwasher safe; avoid sudden changes in "
            "temperature."
        ),
        "description_ja": (
            "佐賀県有田町の窯元で作られた直径21cmの中皿5枚セットで、"
            "藍色の手描き文様が一枚ずつ異なります。"
            "主菜やサラダにちょうどよいサイズです。"
            "電子レンジ・食洗機に対応していますが、急な温度変化は避けてください。"
        ),
        "price": 16500,
        "stock": 9,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "KIT-003",
        "category": "kitchen",
        "name": "Santoku knife, VG-10 Damascus, 165 mm",
        "name_ja": "三徳包丁 VG10 ダマスカス 165mm",
        "search_terms": "kitchen knife chef",
        "search_terms_ja": "ほうちょう ナイフ",
        "description": (
            "An all-purpose santoku forged in Seki, Gifu, with a VG-10 steel core clad "
            "in 33 layers of Damascus steel. The 165 mm blade handles meat, fish and "
            "vegetables, and the pakkawood handle is sealed against moisture. Wash by "
            "hand, dry immediately and sharpen on a whetstone."
        ),
        "description_ja": (
            "岐阜県関市で鍛造された万能三徳包丁で、"
            "VG10鋼の芯材を33層のダマスカス鋼で包んでいます。"
            "刃渡り165mmで肉・魚・野菜と幅広く使え、"
            "積層強化木のハンドルは水に強い仕上げです。手洗い後はすぐに水気を拭き取り、"
            "砥石で研いでください。"
        ),
        "price": 14800,
        "stock": 22,
        "manual_url": "",
        "documents": "warranty_card",
    },
    {
        "sku": "KIT-004",
        "category": "kitchen",
        "name": "Cast-iron Nambu tetsubin kettle, 0.6 L",
        "name_ja": "南部鉄器 鉄瓶 0.6L",
        "search_terms": "teakettle tea kettle",
        "search_terms_ja": "やかん 薬缶 湯沸かし てつびん",
        "description": (
            "Cast in Morioka, Iwate, this tetsubin boils water on gas or induction and "
            "releases a little iron into it, giving a softer taste. The 0.6 L size "
            "serves two to three cups. Empty it and dry it over low heat after each "
            "use to prevent rust."
        ),
        "description_ja": (
            "岩手県盛岡市で鋳造された容量0.6L（2〜3杯分）の鉄瓶です。"
            "ガス火・IHで沸かしたお湯には鉄分がわずかに溶け出し、"
            "まろやかな味わいになります。使用後はお湯を捨て、"
            "弱火で水気を飛ばして錆を防いでください。"
        ),
        "price": 19800,
        "stock": 7,
        "manual_url": "",
        "documents": "manual",
    },
    {
        "sku": "KIT-005",
        "category": "kitchen",
        "name": "Kiso hinoki cutting board, 42 x 24 cm",
        "name_ja": "木曽ひのき まな板 42×24cm",
        "description": (
            "Cut from Kiso hinoki cypress, this board is gentle on knife edges and has "
            "a clean, light scent. It measures 42 x 24 x 3 cm. Wet the surface before "
            "use, scrub it with a brush afterwards and stand it upright to dry."
        ),
        "description_ja": (
            "木曽ひのきから切り出したまな板で、刃当たりがやさしく、"
            "すがすがしい香りがあります。サイズは42×24×3cmです。"
            "使用前に表面を水で濡らし、"
            "使用後はたわしで洗って立てかけて乾かしてください。"
        ),
        "price": 6800,
        "stock": 35,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "KIT-006",
        "category": "kitchen",
        "name": "Iga donabe clay rice pot, 3 go",
        "name_ja": "伊賀焼 土鍋ごはん釜 3合",
        "description": (
            "A double-lid donabe from Iga, Mie, made of coarse clay that holds heat "
            "for fluffy rice with a light crust. It cooks 1 to 3 go on a gas flame and "
            "is not suitable for induction. Let it dry completely before putting it "
            "away."
        ),
        "description_ja": (
            "三重県伊賀の粗い土で作られた二重蓋の土鍋ごはん釜で、蓄熱性が高く、"
            "ふっくらとしたごはんとほどよいおこげが楽しめます。"
            "1〜3合をガス火で炊けます（IH非対応）。しまう前にしっかり乾かしてください。"
        ),
        "price": 11000,
        "stock": 12,
        "manual_url": "",
        "documents": "manual",
    },
    {
        "sku": "KIT-007",
        "category": "kitchen",
        "name": "Hand blender with whisk and chopper, 350 W",
        "name_ja": "ハンドブレンダー 350W 泡立て器・チョッパー付き",
        "description": (
            "A 350 W stick blender with a stainless-steel shaft for soups and "
            "smoothies, supplied with a whisk and a 500 ml chopper bowl. It has two "
            "speeds and a turbo button. Every attachment except the motor body is "
            "dishwasher safe."
        ),
        "description_ja": (
            "ステンレスシャフトの350Wハンドブレンダーで、"
            "スープやスムージー作りに活躍します。泡立て器と500mlチョッパーが付属し、"
            "2段階の速度切替とターボボタンを備えています。"
            "本体以外のアタッチメントは食洗機で洗えます。"
        ),
        "price": 8980,
        "stock": 27,
        "manual_url": "https://hoshii.example/manuals/kit-007.pdf",
        "documents": "both",
    },
    {
        "sku": "KIT-008",
        "category": "kitchen",
        "name": "Copper tamagoyaki pan, 13 x 18 cm",
        "name_ja": "銅製 玉子焼き器 13×18cm",
        "description": (
            "A tin-lined copper pan for rolled omelettes, made in Tsubame, Niigata. "
            "Copper spreads heat evenly, so each thin layer of egg cooks without "
            "browning. For gas flames only; oil the pan well before each use and avoid "
            "metal utensils."
        ),
        "description_ja": (
            "新潟県燕市で作られた、内側を錫引きした銅製の玉子焼き器です。熱伝導がよく、"
            "焼き色をつけずに一層ずつきれいに焼き上がります。ガス火専用で、"
            "使う前にしっかり油をなじませ、金属製のへらは使わないでください。"
        ),
        "price": 12500,
        "stock": 2,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "TEA-001",
        "category": "tea-coffee",
        "name": "Hand drip coffee set with kettle and dripper",
        "name_ja": "ハンドドリップ コーヒーセット ケトル・ドリッパー付き",
        "search_terms": "pour-over",
        "search_terms_ja": "やかん ケトル ドリップポット",
        "description": (
            "Everything for pour-over coffee at home: a 0.8 L gooseneck kettle, a "
            "ceramic cone dripper, a 600 ml glass server and 100 paper filters. The "
            "slim spout gives a steady, easily controlled pour. The kettle works on "
            "both gas and induction."
        ),
        "description_ja": (
            "自宅でハンドドリップを始めるためのセットで、0.8Lの細口ケトル、"
            "陶器製ドリッパー、600mlガラスサーバー、"
            "ペーパーフィルター100枚が入っています。"
            "細い注ぎ口で湯量を安定してコントロールできます。"
            "ケトルはガス火・IHの両方に対応しています。"
        ),
        "price": 9800,
        "stock": 18,
        "manual_url": "",
        "documents": "manual",
    },
    {
        "sku": "TEA-002",
        "category": "tea-coffee",
        "name": "Hasami porcelain mug pair, 350 ml",
        "name_ja": "波佐見焼 マグカップ ペア 350ml",
        "search_terms": "cup coffee cup",
        "search_terms_ja": "コップ カップ",
        "description": (
            "Two stackable mugs from Hasami, Nagasaki, one in matte white and one in "
            "indigo glaze. Each holds 350 ml and has a thick base that keeps drinks "
            "warm. Microwave and dishwasher safe, and packed in a gift box."
        ),
        "description_ja": (
            "長崎県波佐見町で作られた、重ねて収納できるマグカップ2個セットで、"
            "マットな白と藍色の釉薬の組み合わせです。容量は各350mlで、"
            "厚みのある底が飲み物を冷めにくくします。電子レンジ・食洗機に対応し、"
            "化粧箱に入っています。"
        ),
        "price": 5280,
        "stock": 30,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "TEA-003",
        "category": "tea-coffee",
        "name": "Uji sencha, first flush, 100 g",
        "name_ja": "宇治煎茶 一番摘み 100g",
        "description": (
            "A first-flush sencha from the hills of Wazuka, Kyoto, with a bright green "
            "colour and a sweet, grassy finish. Brew 4 g of leaves in 70 °C water for "
            "about one minute. Store in a cool, dark place and drink within a month of "
            "opening."
        ),
        "description_ja": (
            "京都府和束町の茶畑で摘まれた一番茶の煎茶で、"
            "鮮やかな緑色と甘みのある爽やかな後味が特徴です。"
            "茶葉4gを70℃のお湯で1分ほど抽出してください。開封後は冷暗所で保存し、"
            "1か月以内にお召し上がりください。"
        ),
        "price": 1980,
        "stock": 64,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "TEA-004",
        "category": "tea-coffee",
        "name": "Uji matcha for usucha, 30 g tin",
        "name_ja": "宇治抹茶 薄茶用 30g缶",
        "description": (
            "Stone-ground matcha made from shade-grown tencha leaves from Uji, suited "
            "to usucha (thin tea). Whisk 2 g with 70 ml of hot water until frothy. "
            "Keep the sealed tin in the fridge and let it reach room temperature "
            "before opening."
        ),
        "description_ja": (
            "宇治で栽培された覆下の碾茶を石臼で挽いた、薄茶向けの抹茶です。"
            "2gを70mlのお湯で泡立つまで点ててください。未開封の缶は冷蔵庫で保管し、"
            "開封前に常温に戻してください。"
        ),
        "price": 2700,
        "stock": 41,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "TEA-005",
        "category": "tea-coffee",
        "name": "Tokoname kyusu teapot, 300 ml",
        "name_ja": "常滑焼 急須 300ml",
        "search_terms": "tea pot",
        "search_terms_ja": "きゅうす ティーポット",
        "description": (
            "A side-handled kyusu in unglazed red clay from Tokoname, Aichi, with a "
            "fine ceramic mesh filter built into the body. The 300 ml size brews tea "
            "for two or three people. Rinse it with hot water only, as the clay can "
            "absorb the taste of detergent."
        ),
        "description_ja": (
            "愛知県常滑市の朱泥で作られた横手の急須で、"
            "本体に細かな陶製の茶こしが組み込まれています。"
            "容量300mlで2〜3人分のお茶を淹れられます。土が洗剤のにおいを吸うため、"
            "洗剤は使わずお湯ですすいでください。"
        ),
        "price": 7700,
        "stock": 15,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "TEA-006",
        "category": "tea-coffee",
        "name": "Ethiopia Yirgacheffe coffee beans, 200 g",
        "name_ja": "コーヒー豆 エチオピア イルガチェフェ 200g",
        "description": (
            "Washed Yirgacheffe beans, light-roasted in small batches in Kyoto, with "
            "notes of jasmine, lemon and black tea. Sent as whole beans in a "
            "resealable bag with a one-way valve. Best within four weeks of the roast "
            "date printed on the back."
        ),
        "description_ja": (
            "京都で少量ずつ浅煎りにしたイルガチェフェのウォッシュトで、"
            "ジャスミンやレモン、紅茶のような風味があります。豆のまま、"
            "バルブ付きのチャック袋でお届けします。"
            "裏面に記載の焙煎日から4週間以内がおすすめです。"
        ),
        "price": 1680,
        "stock": 52,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "TEA-007",
        "category": "tea-coffee",
        "name": "Ceramic burr hand coffee grinder",
        "name_ja": "セラミック刃 手挽きコーヒーミル",
        "description": (
            "A compact hand mill with ceramic conical burrs and a stainless-steel body "
            "that fits easily in a travel bag. A click dial sets the grind from "
            "espresso-fine to coarse for a French press. Brush the burrs clean after "
            "use, and dry them fully if you rinse them."
        ),
        "description_ja": (
            "セラミック製の臼刃とステンレスボディを備えた、"
            "旅行にも持ち出せるコンパクトな手挽きミルです。クリック式のダイヤルで、"
            "エスプレッソ用の細挽きからフレンチプレス用の粗挽きまで調整できます。"
            "使用後はブラシで刃を掃除し、水洗いした場合は十分に乾かしてください。"
        ),
        "price": 4400,
        "stock": 3,
        "manual_url": "",
        "documents": "both",
    },
    {
        "sku": "TEA-008",
        "category": "tea-coffee",
        "name": "Hojicha roasted green tea bags, 20 pack",
        "name_ja": "ほうじ茶 ティーバッグ 20包",
        "description": (
            "Roasted green tea from Kagoshima in pyramid bags, with a toasty aroma and "
            "very little bitterness. Steep one bag in 200 ml of boiling water for one "
            "to two minutes. It also makes a good cold brew left overnight in the "
            "fridge."
        ),
        "description_ja": (
            "鹿児島産の茶葉を焙じた、テトラ型ティーバッグのほうじ茶です。"
            "香ばしい香りで、渋みが少なく飲みやすい味わいです。"
            "1包を熱湯200mlで1〜2分抽出するほか、冷蔵庫で一晩置く水出しもおすすめです。"
        ),
        "price": 860,
        "stock": 96,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "HOM-001",
        "category": "home-living",
        "name": "Imabari towel set, 2 bath and 2 face towels",
        "name_ja": "今治タオル バスタオル2枚・フェイスタオル2枚セット",
        "search_terms": "bath towel",
        "search_terms_ja": "タオル",
        "description": (
            "Four towels woven in Imabari, Ehime, from long-staple cotton that passes "
            "the Imabari five-second absorbency test. The bath towels are 60 x 120 cm "
            "and the face towels 34 x 80 cm. Wash before first use and tumble dry on "
            "low heat."
        ),
        "description_ja": (
            "愛媛県今治市で長繊維綿から織られたタオル4枚セットで、"
            "5秒以内に水に沈む今治タオル独自の吸水性基準をクリアしています。"
            "バスタオルは60×120cm、フェイスタオルは34×80cmです。"
            "初回は洗濯してからお使いいただき、乾燥機は低温でご使用ください。"
        ),
        "price": 8800,
        "stock": 25,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "HOM-002",
        "category": "home-living",
        "name": "Linen duvet cover, double, natural",
        "name_ja": "リネン 掛け布団カバー ダブル ナチュラル",
        "description": (
            "Stone-washed French flax linen that feels soft from the first night and "
            "stays cool in summer. It fits a 190 x 210 cm double duvet and has a "
            "hidden button closure and corner ties. Machine wash at up to 40 °C; it "
            "gets softer with every wash."
        ),
        "description_ja": (
            "フランス産フラックスを使ったストーンウォッシュ加工のリネンで、"
            "最初からやわらかく、夏はさらりと快適です。"
            "190×210cmのダブルサイズ掛け布団に対応し、"
            "隠しボタンと四隅のひもが付いています。40℃までの洗濯機洗いができ、"
            "洗うほど風合いが増します。"
        ),
        "price": 15400,
        "stock": 11,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "HOM-003",
        "category": "home-living",
        "name": "Linen pillowcase pair, 43 x 63 cm",
        "name_ja": "リネン ピローケース 2枚組 43×63cm",
        "description": (
            "A pair of envelope-style pillowcases in the same stone-washed linen as "
            "our duvet covers, sized for standard 43 x 63 cm pillows. The colour is "
            "natural. Machine wash and line dry, and iron while damp if you prefer a "
            "crisp look."
        ),
        "description_ja": (
            "掛け布団カバーと同じストーンウォッシュ加工リネンを使った、"
            "封筒式のピローケース2枚組で、43×63cmの標準的な枕に合うサイズです。"
            "色はナチュラルです。洗濯機で洗って陰干しし、"
            "パリッとさせたい場合は湿っているうちにアイロンをかけてください。"
        ),
        "price": 4950,
        "stock": 33,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "HOM-004",
        "category": "home-living",
        "name": "Hinoki bath stool and bowl set",
        "name_ja": "ひのき 風呂椅子・湯桶セット",
        "description": (
            "A bath stool with a 25 cm seat height and a 2 L washing bowl, made from "
            "Kiso hinoki, which resists moisture and fills the bathroom with a woody "
            "scent. The fittings are stainless steel. Rinse with cold water after use "
            "and dry in a well-ventilated spot."
        ),
        "description_ja": (
            "湿気に強く、浴室に木の香りが広がる木曽ひのき製の風呂椅子（座面高25cm）と"
            "湯桶（2L）のセットです。金具にはステンレスを使用しています。"
            "使用後は水ですすぎ、風通しのよい場所で乾かしてください。"
        ),
        "price": 9900,
        "stock": 8,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "HOM-005",
        "category": "home-living",
        "name": "Ultrasonic aroma diffuser, walnut",
        "name_ja": "超音波式 アロマディフューザー ウォルナット",
        "description": (
            "An ultrasonic diffuser with a walnut cover and a 120 ml tank that runs "
            "for up to six hours. A soft amber light can be switched on or off, and it "
            "turns itself off when the water runs out. Powered over USB-C; the adapter "
            "is not included."
        ),
        "description_ja": (
            "ウォルナット材のカバーと120mlのタンクを備えた超音波式ディフューザーで、"
            "最長6時間連続で使えます。"
            "やわらかなアンバーライトは点灯・消灯を切り替えられ、"
            "水がなくなると自動で停止します。USB-C給電で、ACアダプターは別売りです。"
        ),
        "price": 6600,
        "stock": 1,
        "manual_url": "https://hoshii.example/manuals/hom-005.pdf",
        "documents": "both",
    },
    {
        "sku": "HOM-006",
        "category": "home-living",
        "name": "Nara kaya cloths, 5 pack",
        "name_ja": "奈良 蚊帳生地 ふきん 5枚組",
        "description": (
            "Five layered cloths made from kaya, the loosely woven cotton once used "
            "for mosquito nets in Nara. They absorb well, dry quickly and grow softer "
            "over time. Each measures 40 x 40 cm and can be boiled or bleached to keep "
            "it fresh."
        ),
        "description_ja": (
            "かつて蚊帳に使われていた目の粗い綿生地を重ねて作った、"
            "奈良の蚊帳生地ふきん5枚組です。吸水性と速乾性に優れ、"
            "使うほどにやわらかくなります。サイズは各40×40cmで、"
            "煮沸や漂白で清潔に保てます。"
        ),
        "price": 1650,
        "stock": 88,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "HOM-007",
        "category": "home-living",
        "name": "Indigo noren curtain, seigaiha wave, 85 x 150 cm",
        "name_ja": "藍染 のれん 青海波 85×150cm",
        "description": (
            "A cotton noren with the seigaiha wave pattern, stencil-dyed in natural "
            "indigo. The split down the centre lets you walk through a doorway while "
            "keeping the room behind it private. Comes with a 90 cm tension rod; hand "
            "wash separately in cold water."
        ),
        "description_ja": (
            "青海波の文様を型染めし、天然藍で染めた綿ののれんで、"
            "90cmの突っ張り棒が付いています。中央が分かれているので出入りしやすく、"
            "目隠しにもなります。色落ちするため、冷水で単独で手洗いしてください。"
        ),
        "price": 5500,
        "stock": 19,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "HOM-008",
        "category": "home-living",
        "name": "Soy wax candle, yuzu and hinoki, 180 g",
        "name_ja": "ソイキャンドル 柚子とひのき 180g",
        "description": (
            "A hand-poured soy wax candle with a cotton wick, scented with yuzu peel "
            "and hinoki essential oils. It burns for about 40 hours in a reusable "
            "amber glass jar. Trim the wick to 5 mm before each lighting."
        ),
        "description_ja": (
            "ソイワックスとコットン芯で一つずつ手作りしたキャンドルで、"
            "柚子果皮とひのきの精油で香りづけしています。燃焼時間は約40時間で、"
            "琥珀色のガラス容器は再利用できます。"
            "火を灯す前に芯を5mmに切りそろえてください。"
        ),
        "price": 3300,
        "stock": 46,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "STA-001",
        "category": "stationery",
        "name": "A5 dot-grid notebook, Tomoe River paper",
        "name_ja": "A5 ドット方眼ノート トモエリバー",
        "description": (
            "A 368-page A5 notebook of thin, smooth Tomoe River paper that takes "
            "fountain-pen ink without feathering. Each page has a light 5 mm dot grid, "
            "and the thread-sewn binding lets it lie flat. A ribbon bookmark is "
            "included."
        ),
        "description_ja": (
            "万年筆のインクもにじみにくい、"
            "薄くなめらかなトモエリバー紙を使った368ページのA5ノートです。"
            "淡い5mmドット方眼入りで、糸かがり製本のため平らに開きます。"
            "しおりひもが付いています。"
        ),
        "price": 2200,
        "stock": 58,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "STA-002",
        "category": "stationery",
        "name": "Fountain pen, fine nib, smoke blue",
        "name_ja": "万年筆 細字 スモークブルー",
        "description": (
            "A lightweight resin fountain pen with a stainless-steel fine nib that "
            "suits small, detailed Japanese characters. It takes standard cartridges, "
            "or bottled ink with the included converter. Flush the nib with lukewarm "
            "water when changing colours."
        ),
        "description_ja": (
            "細かな漢字も書きやすいステンレス製の細字ペン先を備えた、"
            "軽量な樹脂製の万年筆です。カートリッジのほか、"
            "付属のコンバーターでボトルインクも使えます。インクの色を変えるときは、"
            "ぬるま湯でペン先を洗ってください。"
        ),
        "price": 3850,
        "stock": 40,
        "manual_url": "",
        "documents": "warranty_card",
    },
    {
        "sku": "STA-003",
        "category": "stationery",
        "name": "Fountain pen ink, Kyoto autumn maple, 40 ml",
        "name_ja": "万年筆インク 京の紅葉 40ml",
        "description": (
            "A deep red-orange dye ink inspired by the maples of Tofuku-ji and blended "
            "in Kyoto. It flows well in any fountain pen and shows gentle shading. The "
            "40 ml glass bottle has a wide base that is hard to knock over."
        ),
        "description_ja": (
            "東福寺の紅葉をイメージして京都で調合された、深い朱色の染料インクです。"
            "どの万年筆でもなめらかに流れ、ほどよい濃淡が出ます。"
            "40mlのガラスボトルは底が広く、倒れにくい形です。"
        ),
        "price": 1980,
        "stock": 4,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "STA-004",
        "category": "stationery",
        "name": "Washi tape set, seasonal patterns, 10 rolls",
        "name_ja": "マスキングテープ 季節柄 10巻セット",
        "description": (
            "Ten rolls of washi tape, each 15 mm x 10 m, printed with seasonal motifs "
            "from cherry blossoms to snow. It tears cleanly by hand and peels off "
            "paper without leaving marks. Good for journals, gift wrapping and "
            "labelling."
        ),
        "description_ja": (
            "桜から雪景色まで、季節のモチーフを描いたマスキングテープ10巻セット（"
            "各15mm×10m）です。手で簡単に切れ、紙からきれいにはがせます。"
            "手帳やギフトラッピング、ラベル付けに便利です。"
        ),
        "price": 1320,
        "stock": 75,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "STA-005",
        "category": "stationery",
        "name": "Brass mechanical pencil, 0.5 mm",
        "name_ja": "真鍮製 シャープペンシル 0.5mm",
        "description": (
            "A solid-brass mechanical pencil with a knurled grip that darkens to a "
            "warm patina as you use it. It weighs 28 g, takes standard 0.5 mm leads "
            "and hides an eraser under the cap. Polish it with a soft cloth if you "
            "prefer a bright finish."
        ),
        "description_ja": (
            "使うほどに深みのある色合いに変わる、"
            "ローレット加工のグリップを備えた真鍮製シャープペンシルです。重さは28gで、"
            "一般的な0.5mm芯が使え、キャップの下に消しゴムがあります。"
            "光沢を保ちたい場合は、やわらかい布で磨いてください。"
        ),
        "price": 4400,
        "stock": 21,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "STA-006",
        "category": "stationery",
        "name": "Letterpress greeting cards, set of 6",
        "name_ja": "活版印刷 グリーティングカード 6枚セット",
        "description": (
            "Six folded cards letterpress-printed in Tokyo on thick cotton paper, with "
            "crane, pine and plum designs. Each card is 10 x 15 cm and comes with a "
            "kraft envelope. The inside is blank for your own message."
        ),
        "description_ja": (
            "東京の工房で厚手のコットンペーパーに活版印刷した、"
            "二つ折りカード6枚セットです。図柄は鶴・松・梅で、サイズは10×15cm、"
            "クラフト封筒が付いています。中面は無地なので、自由にメッセージを書けます。"
        ),
        "price": 1760,
        "stock": 37,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "STA-007",
        "category": "stationery",
        "name": "Leather cover for A6 notebook, tan",
        "name_ja": "A6 手帳用 革カバー キャメル",
        "description": (
            "A cover cut from vegetable-tanned Himeji cowhide that fits A6 notebooks "
            "and diaries. Two inner pockets hold cards and receipts, and a loop keeps "
            "a slim pen close at hand. The leather darkens with use; rub in a little "
            "leather cream once a season."
        ),
        "description_ja": (
            "姫路産のタンニンなめし牛革を使った、A6サイズのノートや手帳用のカバーです。"
            "内側の2つのポケットにカードやレシートを、"
            "ペンホルダーに細身のペンを収納できます。使うほどに色が深まるので、"
            "季節に一度、少量のレザークリームでお手入れしてください。"
        ),
        "price": 5940,
        "stock": 16,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "STA-008",
        "category": "stationery",
        "name": "Calligraphy starter set with brush and inkstone",
        "name_ja": "書道 入門セット 筆・硯付き",
        "description": (
            "A starter set for shodo with a goat-hair brush, a small inkstone, a "
            "bottle of liquid sumi ink, a felt mat, a paperweight and 20 sheets of "
            "practice paper, all in a cloth-covered box. Rinse the brush in lukewarm "
            "water after each session and hang it up to dry."
        ),
        "description_ja": (
            "羊毛の筆、小さな硯、墨汁、下敷き、文鎮、"
            "半紙20枚が入った書道の入門セットで、布張りの箱に収められています。"
            "使用後は筆をぬるま湯で洗い、吊るして乾かしてください。"
        ),
        "price": 3960,
        "stock": 13,
        "manual_url": "",
        "documents": "manual",
    },
    {
        "sku": "ELE-001",
        "category": "electronics",
        "name": "Yellow ink cartridge for PX-200 printer",
        "name_ja": "PX-200 プリンター用 インクカートリッジ イエロー",
        "description": (
            "A genuine yellow ink cartridge for the PX-200 compact inkjet printer, "
            "good for about 300 pages at 5% coverage. Its dye-based ink gives bright "
            "colours on both photo and plain paper. Store unopened at room temperature "
            "and use within six months of opening."
        ),
        "description_ja": (
            "PX-200 コンパクトインクジェットプリンター用の"
            "純正イエローインクカートリッジで、印字率5%で約300ページ印刷できます。"
            "染料インクなので、写真用紙にも普通紙にも鮮やかに発色します。"
            "未開封のまま常温で保管し、開封後は6か月以内にお使いください。"
        ),
        "price": 1650,
        "stock": 70,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "ELE-002",
        "category": "electronics",
        "name": "PX-200 compact inkjet printer",
        "name_ja": "PX-200 コンパクト インクジェットプリンター",
        "description": (
            "A small four-colour inkjet printer for A4 documents and borderless "
            "postcard-size photos over Wi-Fi or USB. It prints from smartphones "
            "through the free companion app and, at 37 x 22 x 14 cm, fits on a "
            "bookshelf. Uses separate cyan, magenta, yellow and black PX-200 "
            "cartridges."
        ),
        "description_ja": (
            "A4文書やフチなしのはがきサイズ写真をWi-FiまたはUSB経由で印刷できる、"
            "4色インクの小型インクジェットプリンターです。"
            "無料の専用アプリでスマートフォンからも印刷でき、"
            "37×22×14cmと本棚にも置けるサイズです。"
            "シアン・マゼンタ・イエロー・ブラックの独立したPX-200用インクカートリッジを"
            "使用します。"
        ),
        "price": 12800,
        "stock": 24,
        "manual_url": "https://hoshii.example/manuals/ele-002.pdf",
        "documents": "both",
    },
    {
        "sku": "ELE-003",
        "category": "electronics",
        "name": "Black ink cartridge for PX-200 printer",
        "name_ja": "PX-200 プリンター用 インクカートリッジ ブラック",
        "description": (
            "A genuine pigment-based black cartridge for the PX-200 printer, giving "
            "crisp text that does not smudge under a highlighter. It yields about 400 "
            "pages at 5% coverage. Store unopened at room temperature and use within "
            "six months of opening."
        ),
        "description_ja": (
            "PX-200 プリンター用の純正顔料ブラックインクカートリッジで、"
            "蛍光ペンを重ねてもにじみにくい、くっきりとした文字を印刷できます。"
            "印字率5%で約400ページ印刷できます。未開封のまま常温で保管し、"
            "開封後は6か月以内にお使いください。"
        ),
        "price": 1980,
        "stock": 0,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "ELE-004",
        "category": "electronics",
        "name": "Noise-cancelling wireless headphones",
        "name_ja": "ノイズキャンセリング ワイヤレスヘッドホン",
        "description": (
            "Over-ear Bluetooth 5.3 headphones with adaptive noise cancelling and up "
            "to 30 hours of playback per charge. They fold flat into the included hard "
            "case and connect to two devices at once. Charging is over USB-C, and ten "
            "minutes gives about three hours of listening."
        ),
        "description_ja": (
            "アダプティブノイズキャンセリングを搭載したBluetooth 5.3対応の"
            "オーバーイヤーヘッドホンで、1回の充電で最長30時間再生できます。"
            "付属のハードケースに平たく折りたたんで収納でき、"
            "2台の機器に同時接続できます。USB-Cで充電し、"
            "10分の充電で約3時間再生できます。"
        ),
        "price": 24800,
        "stock": 17,
        "manual_url": "https://hoshii.example/manuals/ele-004.pdf",
        "documents": "both",
    },
    {
        "sku": "ELE-005",
        "category": "electronics",
        "name": "True wireless earbuds with charging case, white",
        "name_ja": "完全ワイヤレスイヤホン 充電ケース付き ホワイト",
        "description": (
            "Compact earbuds with IPX4 splash resistance, six hours of playback and "
            "three more full charges from the pocket-sized case. Silicone tips in "
            "three sizes are included. Touch controls handle music, calls and the "
            "voice assistant."
        ),
        "description_ja": (
            "IPX4の防滴性能を備えたコンパクトなイヤホンで、単体で6時間再生でき、"
            "ポケットサイズの充電ケースでさらに3回分充電できます。"
            "シリコン製イヤーピースが3サイズ付属しています。タッチ操作で音楽再生、"
            "通話、音声アシスタントを操作できます。"
        ),
        "price": 9980,
        "stock": 44,
        "manual_url": "https://hoshii.example/manuals/ele-005.pdf",
        "documents": "both",
    },
    {
        "sku": "ELE-006",
        "category": "electronics",
        "name": "Waterproof portable Bluetooth speaker",
        "name_ja": "防水 ポータブル Bluetoothスピーカー",
        "description": (
            "A palm-sized speaker with IP67 water and dust protection, a fabric grille "
            "and a strap for hanging it in the shower or inside a tent. It plays for "
            "about 12 hours and can pair with a second unit for stereo sound. Charges "
            "over USB-C."
        ),
        "description_ja": (
            "IP67の防水・防塵性能を備えた手のひらサイズのスピーカーで、"
            "ファブリックのグリルとストラップ付きなので浴室やテントに吊るして使えます。"
            "約12時間再生でき、2台をペアリングしてステレオ再生もできます。"
            "USB-Cで充電します。"
        ),
        "price": 6480,
        "stock": 29,
        "manual_url": "https://hoshii.example/manuals/ele-006.pdf",
        "documents": "both",
    },
    {
        "sku": "ELE-007",
        "category": "electronics",
        "name": "USB-C power bank, 10,000 mAh",
        "name_ja": "モバイルバッテリー 10000mAh USB-C",
        "description": (
            "A slim power bank that charges a typical phone about twice, with one "
            "USB-C port (20 W in and out) and one USB-A port. Four LEDs show how much "
            "charge is left. It may go in carry-on luggage but not in checked bags."
        ),
        "description_ja": (
            "一般的なスマートフォンを約2回充電できる薄型のモバイルバッテリーで、"
            "USB-Cポート（入出力20W）とUSB-Aポートを1つずつ備えています。"
            "4つのLEDで残量を確認できます。機内への持ち込みはできますが、"
            "預け入れ荷物には入れられません。"
        ),
        "price": 3980,
        "stock": 62,
        "manual_url": "https://hoshii.example/manuals/ele-007.pdf",
        "documents": "both",
    },
    {
        "sku": "ELE-008",
        "category": "electronics",
        "name": "Rechargeable clip-on LED reading light",
        "name_ja": "充電式 クリップ式 LED読書灯",
        "description": (
            "A clip light with a flexible neck, three colour temperatures and stepless "
            "dimming, made for reading in bed or at a desk. The built-in battery "
            "charges over USB-C and lasts up to 40 hours on the lowest setting. The "
            "padded clip opens to 5 cm and will not mark headboards or shelves."
        ),
        "description_ja": (
            "自在に曲がるアームと3段階の色温度、無段階調光を備えたクリップライトで、"
            "ベッドや机での読書に最適です。内蔵バッテリーはUSB-Cで充電でき、"
            "最も暗い設定で最長40時間点灯します。クリップは5cmまで開き、"
            "パッド付きなのでヘッドボードや棚を傷つけにくい設計です。"
        ),
        "price": 2980,
        "stock": 48,
        "manual_url": "https://hoshii.example/manuals/ele-008.pdf",
        "documents": "both",
    },
    {
        "sku": "BOO-001",
        "category": "books",
        "name": "The Book of Tea by Kakuzo Okakura, illustrated edition",
        "name_ja": "茶の本 岡倉天心 図版入り新装版",
        "description": (
            "Okakura's 1906 essay on tea, Zen and the art of living, in a new "
            "hardcover edition with colour plates of tea utensils. It runs to 168 "
            "pages, with an introduction for modern readers. Cloth-bound with a ribbon "
            "marker, it makes a thoughtful gift."
        ),
        "description_ja": (
            "茶と禅、そして生き方の美学をめぐる岡倉天心の1906年の名著を、"
            "茶道具のカラー図版を加えたハードカバーの新装版でお届けします。"
            "現代の読者向けの解説付きで、全168ページです。布装・しおりひも付きで、"
            "贈り物にも喜ばれます。"
        ),
        "price": 2420,
        "stock": 26,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "BOO-002",
        "category": "books",
        "name": "Washoku at Home: 100 Everyday Recipes",
        "name_ja": "家庭の和食 毎日のレシピ100",
        "description": (
            "A cookbook of 100 home-style Japanese dishes, from dashi and miso soup to "
            "simmered fish and rice bowls, each with step-by-step photos. Quantities "
            "are given in both grams and cups. The 224-page lay-flat binding stays "
            "open on the kitchen counter."
        ),
        "description_ja": (
            "だしやみそ汁から煮魚、丼ものまで、"
            "家庭で作る和食100品を手順写真付きで紹介するレシピ本です。"
            "分量はグラムとカップの両方で記載しています。全224ページで、"
            "調理台の上でも開いたままにしやすい製本です。"
        ),
        "price": 2860,
        "stock": 34,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "BOO-003",
        "category": "books",
        "name": "Pocket Japanese phrasebook for travellers",
        "name_ja": "旅行者のための ポケット日本語会話帳",
        "description": (
            "A pocket phrasebook with 1,500 phrases for trains, restaurants, hotels "
            "and shopping, printed in romaji, kana and kanji so you can simply point "
            "at the page. It includes a menu decoder and a section on polite "
            "expressions. 192 pages, 10 x 15 cm."
        ),
        "description_ja": (
            "電車、飲食店、ホテル、買い物で使える1,500のフレーズを、"
            "ローマ字・かな・漢字で併記したポケットサイズの会話帳で、"
            "ページを指さすだけでも伝わります。"
            "メニューの読み方や丁寧な言い回しのコーナーも収録しています。全192ページ、"
            "10×15cmです。"
        ),
        "price": 1100,
        "stock": 55,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "BOO-004",
        "category": "books",
        "name": "The Little Daruma, bilingual picture book",
        "name_ja": "絵本 ちいさなだるま 日英バイリンガル",
        "description": (
            "A gentle picture book about a small daruma who always gets back up, told "
            "in parallel Japanese and English text. Its 32 sturdy pages are "
            "illustrated in watercolour. Recommended for ages 3 and up."
        ),
        "description_ja": (
            "何度転んでも起き上がる小さなだるまのやさしいお話を、"
            "日本語と英語の文章を並べて掲載した絵本です。丈夫な紙を使った全32ページで、"
            "水彩画のイラストが描かれています。3歳から楽しめます。"
        ),
        "price": 1540,
        "stock": 6,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "BOO-005",
        "category": "books",
        "name": "Field guide to the birds of Japan",
        "name_ja": "日本の野鳥 フィールドガイド",
        "description": (
            "Covers 350 species found in Japan, with paintings of males, females and "
            "juveniles side by side, range maps and notes on calls. The "
            "water-resistant cover and compact 12 x 18 cm size suit a day pack. 400 "
            "pages."
        ),
        "description_ja": (
            "日本で見られる350種を収録し、"
            "オス・メス・幼鳥のイラストを並べて掲載したフィールドガイドで、"
            "分布図や鳴き声の解説も付いています。"
            "耐水性の表紙と12×18cmのコンパクトなサイズで、"
            "デイパックに入れて持ち歩けます。全400ページです。"
        ),
        "price": 3300,
        "stock": 12,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "BOO-006",
        "category": "books",
        "name": "Kintsugi: A Beginner's Guide to Mending Pottery",
        "name_ja": "はじめての金継ぎ 器の直し方",
        "description": (
            "A practical guide to repairing chipped and broken ceramics with urushi "
            "lacquer and gold powder, written by a Kyoto restorer. Photographs show "
            "every stage from sanding to the final polish, with notes on handling "
            "lacquer safely. 128 pages."
        ),
        "description_ja": (
            "京都の修復師が、欠けたり割れたりした器を漆と金粉で直す方法を"
            "解説した実用書です。下地の研ぎから仕上げの磨きまで全工程を写真で紹介し、"
            "漆を安全に扱うための注意点も記載しています。全128ページです。"
        ),
        "price": 2200,
        "stock": 19,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "BOO-007",
        "category": "books",
        "name": "Basho: Selected Haiku, Japanese-English edition",
        "name_ja": "芭蕉 俳句選 日英対訳",
        "search_terms": "haiku poetry",
        "search_terms_ja": "はいく 俳句 詩集",
        "description": (
            "120 haiku by Matsuo Basho, each given in the original Japanese with a "
            "romanised reading, a literal gloss and a freer English translation. Short "
            "notes explain the seasonal words and places. A slim 176-page paperback."
        ),
        "description_ja": (
            "松尾芭蕉の俳句120句を、"
            "原文・ローマ字読み・逐語訳・英訳で紹介する対訳集です。"
            "季語や地名についての短い解説が付いています。"
            "全176ページの薄手のペーパーバックです。"
        ),
        "price": 1980,
        "stock": 23,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "BOO-008",
        "category": "books",
        "name": "Tokyo Neighbourhood Walks: 20 Routes",
        "name_ja": "東京 まち歩き 20コース",
        "description": (
            "Twenty walking routes through Tokyo neighbourhoods such as Yanaka, "
            "Kagurazaka and Kiyosumi-Shirakawa, each with a fold-out map, distances "
            "and station exits. It favours small shops, bathhouses and cafés over the "
            "big sights. 240 pages."
        ),
        "description_ja": (
            "谷中、神楽坂、清澄白河など、東京の街を歩く20のコースを紹介し、"
            "各コースに折り込み地図、距離、最寄り駅の出口を掲載しています。"
            "大きな観光地よりも、小さな店や銭湯、カフェを中心に取り上げています。"
            "全240ページです。"
        ),
        "price": 1870,
        "stock": 38,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "TOY-001",
        "category": "toys-games",
        "name": "Beech kendama, competition grade",
        "name_ja": "けん玉 ブナ材 競技用",
        "description": (
            "A kendama turned from Japanese beech and approved for competition use, "
            "with a lacquered ball that settles nicely into the cups. It stands 18 cm "
            "tall. A spare string and a booklet of beginner tricks are included."
        ),
        "description_ja": (
            "国産のブナ材を削り出した競技用のけん玉で、"
            "皿に玉がなじみやすい塗装仕上げです。高さは18cmです。"
            "替え糸と初心者向けの技の解説書が付いています。"
        ),
        "price": 2200,
        "stock": 47,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "TOY-002",
        "category": "toys-games",
        "name": "Hanafuda flower cards, traditional design",
        "name_ja": "花札 伝統柄",
        "description": (
            "A full deck of 48 hanafuda cards printed in Kyoto on thick, stiff card, "
            "with the twelve monthly flower suits. An English rule sheet for koi-koi "
            "and hana-awase is included. Packed in a paper box with a lid."
        ),
        "description_ja": (
            "京都で印刷された、厚く張りのある札を使った花札48枚一式で、"
            "12か月の花札がそろっています。"
            "こいこい・花合わせの英語ルール説明書が付いています。"
            "ふた付きの紙箱に入っています。"
        ),
        "price": 1650,
        "stock": 53,
        "manual_url": "",
        "documents": "manual",
    },
    {
        "sku": "TOY-003",
        "category": "toys-games",
        "name": "Shogi set with folding wooden board",
        "name_ja": "将棋セット 木製折りたたみ盤付き",
        "description": (
            "A complete shogi set with 40 engraved wooden pieces and a folding wooden "
            "board measuring 33 x 30 cm. A bilingual rule guide explains moves and "
            "promotion with diagrams. The pieces store in a drawstring bag."
        ),
        "description_ja": (
            "木製の彫り駒40枚と33×30cmの木製折りたたみ盤がそろった将棋セットです。"
            "図解入りの日英ルールガイドで、駒の動きや成りを説明しています。"
            "駒は巾着袋に収納できます。"
        ),
        "price": 4950,
        "stock": 20,
        "manual_url": "https://hoshii.example/manuals/toy-003.pdf",
        "documents": "manual",
    },
    {
        "sku": "TOY-004",
        "category": "toys-games",
        "name": "Remote-control Shinkansen, E5 series",
        "name_ja": "ラジコン 新幹線 E5系",
        "description": (
            "A three-car model of the E5 Shinkansen with an infrared remote for "
            "forward, reverse and two speeds, plus 4.2 m of snap-together track that "
            "forms an oval with a siding. It needs four AA batteries for the train and "
            "two AAA for the remote, not included. For ages 3 and up."
        ),
        "description_ja": (
            "E5系新幹線の3両編成モデルで、"
            "赤外線リモコンで前進・後退と2段階の速度切替ができ、"
            "楕円と引き込み線を組める全長4.2mの組み立て式レールが付属します。"
            "電池は本体に単3形4本、リモコンに単4形2本が必要です（別売り）。"
            "対象年齢は3歳以上です。"
        ),
        "price": 5980,
        "stock": 15,
        "manual_url": "https://hoshii.example/manuals/toy-004.pdf",
        "documents": "both",
    },
    {
        "sku": "TOY-005",
        "category": "toys-games",
        "name": "Origami paper, 500 sheets, 15 cm",
        "name_ja": "おりがみ 500枚 15cm",
        "description": (
            "500 sheets of 15 cm origami paper in 50 colours, coloured on one side and "
            "white on the other. It is thin enough for cranes and boxes yet firm "
            "enough to hold a crease. A fold-out guide to ten classic models is "
            "included."
        ),
        "description_ja": (
            "15cm角の折り紙500枚、全50色のセットで、片面がカラー、裏面が白です。"
            "鶴や箱も折りやすい薄さで、折り目もしっかりつきます。"
            "定番作品10種の折り方ガイドが付いています。"
        ),
        "price": 990,
        "stock": 110,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "TOY-006",
        "category": "toys-games",
        "name": "Programmable robot kit for kids",
        "name_ja": "プログラミング ロボットキット 子ども向け",
        "description": (
            "A build-it-yourself robot with two motors, a distance sensor and a light "
            "sensor, programmed with drag-and-drop blocks on a tablet. The "
            "step-by-step manual walks through 12 projects, from line following to a "
            "simple alarm. For ages 8 and up; tablet not included."
        ),
        "description_ja": (
            "2つのモーターと距離センサー、光センサーを備えた組み立て式ロボットで、"
            "タブレット上でブロックを並べてプログラミングします。"
            "ライントレースから簡単な警報装置まで、"
            "12のプロジェクトを手順書に沿って作れます。対象年齢は8歳以上で、"
            "タブレットは別売りです。"
        ),
        "price": 12800,
        "stock": 0,
        "manual_url": "https://hoshii.example/manuals/toy-006.pdf",
        "documents": "both",
    },
    {
        "sku": "TOY-007",
        "category": "toys-games",
        "name": "Hakone marquetry secret box, 10 steps",
        "name_ja": "箱根寄木細工 秘密箱 10回仕掛け",
        "description": (
            "A Hakone yosegi marquetry box that opens only after ten sliding moves of "
            "its side panels. It is made by hand from naturally coloured woods, with "
            "no dyes. At 12 x 8 x 6 cm it is large enough to hide a ring or a folded "
            "note."
        ),
        "description_ja": (
            "側面の板を10回スライドさせないと開かない、箱根寄木細工の秘密箱です。"
            "染料を使わず、木の自然な色を組み合わせて手作業で作られています。"
            "サイズは12×8×6cmで、指輪や折りたたんだ手紙を隠せる大きさです。"
        ),
        "price": 6600,
        "stock": 9,
        "manual_url": "",
        "documents": "manual",
    },
    {
        "sku": "TOY-008",
        "category": "toys-games",
        "name": "Cooperative board game: Temple Garden",
        "name_ja": "協力型ボードゲーム テンプルガーデン",
        "description": (
            "A cooperative game in which 1 to 4 players rake gravel and plant moss to "
            "finish a Kyoto temple garden before the seasons run out. A game takes "
            "about 40 minutes, and the rulebook is in both English and Japanese. "
            "Contains 120 wooden pieces and a linen-finish board; ages 10 and up."
        ),
        "description_ja": (
            "1〜4人のプレイヤーが協力して砂紋を描き、苔を植え、"
            "季節が終わる前に京都の寺の庭を完成させるゲームです。"
            "1回のプレイは約40分で、ルールブックは日本語と英語で書かれています。"
            "木製コマ120個と布目仕上げのボードが入っており、対象年齢は10歳以上です。"
        ),
        "price": 4620,
        "stock": 22,
        "manual_url": "https://hoshii.example/manuals/toy-008.pdf",
        "documents": "manual",
    },
    {
        "sku": "OUT-001",
        "category": "outdoor-travel",
        "name": "Titanium mug with folding handles, 450 ml",
        "name_ja": "チタンマグ 折りたたみハンドル 450ml",
        "description": (
            "A single-wall titanium mug weighing 68 g that can go straight onto a camp "
            "stove to boil water. Markings inside show 100 ml steps, and the handles "
            "fold flat for packing. Made in Tsubame, Niigata."
        ),
        "description_ja": (
            "重さ68gのシングルウォールのチタンマグで、"
            "そのままバーナーにかけてお湯を沸かせます。内側に100mlごとの目盛りがあり、"
            "ハンドルは折りたたんでコンパクトに収納できます。"
            "新潟県燕市で作られています。"
        ),
        "price": 3520,
        "stock": 36,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "OUT-002",
        "category": "outdoor-travel",
        "name": "Cotton furoshiki wrapping cloth, 100 cm",
        "name_ja": "綿 風呂敷 100cm",
        "description": (
            "A large 100 cm cotton furoshiki printed with the asanoha hemp-leaf "
            "pattern, strong enough to carry wine bottles, books or a picnic lunch. "
            "Use it as a bag, as gift wrap or as a scarf. Machine washable in a "
            "laundry net."
        ),
        "description_ja": (
            "麻の葉文様を染めた大判100cmの綿の風呂敷で、ワインボトルや本、"
            "お弁当も包める丈夫さです。バッグやギフトラッピング、"
            "スカーフとしても使えます。洗濯ネットに入れれば洗濯機で洗えます。"
        ),
        "price": 2750,
        "stock": 42,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "OUT-003",
        "category": "outdoor-travel",
        "name": "Rechargeable LED camping lantern",
        "name_ja": "充電式 LEDランタン",
        "description": (
            "A 500-lumen lantern with warm and daylight modes, a hanging hook and a "
            "magnetic base. Its 5,200 mAh battery lasts up to 60 hours on low and can "
            "charge a phone in an emergency. Splash-proof to IPX4."
        ),
        "description_ja": (
            "最大500ルーメンで、暖色と昼光色を切り替えられるランタンで、"
            "吊り下げ用フックとマグネット付きの底面を備えています。"
            "5,200mAhのバッテリーは弱モードで最長60時間点灯し、"
            "非常時にはスマートフォンの充電にも使えます。IPX4相当の防滴仕様です。"
        ),
        "price": 5480,
        "stock": 28,
        "manual_url": "https://hoshii.example/manuals/out-003.pdf",
        "documents": "both",
    },
    {
        "sku": "OUT-004",
        "category": "outdoor-travel",
        "name": "Compact single-burner camping stove",
        "name_ja": "コンパクト シングルバーナー",
        "description": (
            "A 2.8 kW single burner that screws onto standard OD gas canisters and "
            "folds to the size of a fist. Piezo ignition lights it without matches, "
            "and the wide pot supports hold pans up to 20 cm across. For outdoor use "
            "only; the canister is sold separately."
        ),
        "description_ja": (
            "一般的なOD缶に取り付ける出力2.8kWのシングルバーナーで、"
            "折りたたむとこぶし大になります。圧電点火装置付きでマッチは不要、"
            "幅広のゴトクは直径20cmまでの鍋を支えます。屋外専用で、ガス缶は別売りです。"
        ),
        "price": 6980,
        "stock": 14,
        "manual_url": "https://hoshii.example/manuals/out-004.pdf",
        "documents": "both",
    },
    {
        "sku": "OUT-005",
        "category": "outdoor-travel",
        "name": "Chusen-dyed tenugui, Mount Fuji at dawn",
        "name_ja": "注染 手ぬぐい 夜明けの富士山",
        "description": (
            "A 33 x 90 cm cotton tenugui dyed by the chusen method in Hamamatsu, "
            "showing Mount Fuji at dawn. Light and quick-drying, it works as a hand "
            "towel, headband or bottle wrap. The cut ends fray a little at first, "
            "which stops after a few washes."
        ),
        "description_ja": (
            "浜松で注染によって染められた33×90cmの綿の手ぬぐいで、"
            "夜明けの富士山を描いています。軽くて乾きやすく、ハンカチやヘアバンド、"
            "ボトル包みとして使えます。切りっぱなしの端は最初少しほつれますが、"
            "数回洗ううちに落ち着きます。"
        ),
        "price": 1100,
        "stock": 80,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "OUT-006",
        "category": "outdoor-travel",
        "name": "Packable down jacket, men's M, navy",
        "name_ja": "ポケッタブル ダウンジャケット メンズM ネイビー",
        "description": (
            "A lightweight jacket filled with 90/10 duck down that weighs 240 g and "
            "packs into its own chest pocket. The shell is water-repellent nylon. Wash "
            "on a gentle cycle and tumble dry on low with a couple of tennis balls to "
            "restore the loft."
        ),
        "description_ja": (
            "ダウン90%・フェザー10%を封入した重さ240gの軽量ジャケットで、"
            "胸ポケットに収納できます。表地は撥水加工のナイロンです。"
            "洗濯機の弱水流で洗い、テニスボールを数個入れて低温で"
            "タンブラー乾燥するとふくらみが戻ります。"
        ),
        "price": 12900,
        "stock": 18,
        "manual_url": "",
        "documents": "none",
    },
    {
        "sku": "OUT-007",
        "category": "outdoor-travel",
        "name": "Hard-shell carry-on suitcase, 36 L",
        "name_ja": "機内持ち込み ハードスーツケース 36L",
        "description": (
            "A polycarbonate suitcase sized for the cabin on most domestic and "
            "international flights, with four quiet double-wheel casters and a TSA "
            "lock. Inside, a zipped divider splits it into two halves. It weighs 2.9 "
            "kg and measures 55 x 38 x 23 cm including wheels."
        ),
        "description_ja": (
            "国内線・国際線の多くで機内に持ち込めるサイズの"
            "ポリカーボネート製スーツケースで、"
            "静音ダブルキャスター4輪とTSAロックを備えています。"
            "内部はファスナー付きの仕切りで2つに分かれます。重さは2.9kg、"
            "キャスター込みで55×38×23cmです。"
        ),
        "price": 18700,
        "stock": 10,
        "manual_url": "",
        "documents": "warranty_card",
    },
    {
        "sku": "OUT-008",
        "category": "outdoor-travel",
        "name": "Vacuum-insulated stainless bottle, 500 ml",
        "name_ja": "真空断熱 ステンレスボトル 500ml",
        "description": (
            "A double-wall stainless-steel bottle that keeps drinks above 70 °C after "
            "six hours, or cold for twelve. The screw lid has a silicone seal and a "
            "carry loop. Hand wash only, and do not use it for carbonated drinks."
        ),
        "description_ja": (
            "二重構造のステンレスボトルで、6時間後も70℃以上を保つ保温性能と、"
            "12時間の保冷性能があります。"
            "ねじ式のふたにはシリコンパッキンと持ち手ループが付いています。"
            "手洗いのみ対応で、炭酸飲料には使用しないでください。"
        ),
        "price": 3300,
        "stock": 66,
        "manual_url": "",
        "documents": "none",
    },
)
