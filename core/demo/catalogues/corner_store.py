"""Demo catalogue for corner-store: an English neighbourhood general store (English, USD)."""

from core.demo.spec import DemoCollection, DemoProduct, DemoStore, DemoVariant

COLLECTIONS: tuple[DemoCollection, ...] = (
    DemoCollection(
        title="Bestsellers",
        handle="bestsellers",
        description="The things our neighbours come back for week after week.",
    ),
    DemoCollection(
        title="Pantry & Snacks",
        handle="pantry",
        description=(
            "Oils, grains, tins, sweet things and salty things for a well-stocked cupboard."
        ),
    ),
    DemoCollection(
        title="Coffee & Tea",
        handle="coffee-tea",
        description="Freshly roasted beans, loose-leaf and bagged teas, and the gear to brew them.",
    ),
    DemoCollection(
        title="Kitchen",
        handle="kitchen",
        description="Sturdy, good-looking tools that earn their place in a small kitchen.",
    ),
    DemoCollection(
        title="Household",
        handle="household",
        description="Cleaning supplies, candles and the everyday bits that keep a home running.",
    ),
    DemoCollection(
        title="Stationery",
        handle="stationery",
        description="Notebooks, pens, envelopes and calendars for lists, letters and plans.",
    ),
)

PRODUCTS: tuple[DemoProduct, ...] = (
    DemoProduct(
        title="Extra Virgin Olive Oil, 500 ml",
        handle="extra-virgin-olive-oil",
        sku="CS-0001",
        price="12.99",
        stock=40,
        collections=("pantry",),
        tags=("pantry", "olive oil"),
        description=(
            "Cold-pressed from Koroneiki olives grown on Crete and bottled in dark glass to keep "
            "it fresh. Peppery, grassy and bright: good enough for dipping bread, sturdy enough "
            "for everyday cooking.\n\n"
            "Harvest date printed on the label. Store away from the stove."
        ),
    ),
    DemoProduct(
        title="Sea Salt Sourdough Crackers",
        handle="sea-salt-sourdough-crackers",
        sku="CS-0002",
        price="4.29",
        stock=55,
        collections=("pantry",),
        tags=("snacks", "vegan"),
        description=(
            "Thin, blistered crackers made from a long-fermented sourdough and finished with flaky "
            "sea salt. Baked by a small bakery two towns over.\n\n"
            "5.3 oz box. Contains wheat."
        ),
    ),
    DemoProduct(
        title="Local Wildflower Honey, 12 oz",
        handle="wildflower-honey",
        sku="CS-0003",
        price="9.50",
        stock=4,
        collections=("pantry", "bestsellers"),
        tags=("pantry", "local"),
        description=(
            "Raw, unfiltered honey from hives in the hills just outside town. The flavour shifts "
            "with the seasons; this batch is light, floral and a little citrusy.\n\n"
            "Crystallisation is natural: stand the jar in warm water to loosen it."
        ),
    ),
    DemoProduct(
        title="Organic Rolled Oats, 2 lb",
        handle="rolled-oats",
        sku="CS-0004",
        price="5.49",
        stock=70,
        collections=("pantry",),
        tags=("breakfast", "organic"),
        description=(
            "Thick-cut whole grain oats for porridge, overnight oats, granola and cookies. Grown "
            "and milled in the northern Great Plains.\n\n"
            "Resealable paper bag. Cooks in 5 minutes on the stovetop."
        ),
    ),
    DemoProduct(
        title="San Marzano Tomatoes, 28 oz",
        handle="san-marzano-tomatoes",
        sku="CS-0005",
        price="4.79",
        stock=48,
        collections=("pantry",),
        tags=("pantry", "italian"),
        description=(
            "Whole peeled San Marzano tomatoes from the Agro Sarnese-Nocerino area near Naples, "
            "packed in their own juice with a basil leaf. Sweet, low in acidity and the backbone "
            "of a proper Sunday sauce.\n\n"
            "BPA-free lined can."
        ),
    ),
    DemoProduct(
        title="72% Dark Chocolate Bar",
        handle="dark-chocolate-bar",
        sku="CS-0006",
        price="3.49",
        stock=120,
        collections=("pantry", "bestsellers"),
        tags=("snacks", "chocolate"),
        description=(
            "Single-origin Peruvian cacao, stone-ground with cane sugar and nothing else. Notes of "
            "red fruit and toasted nuts.\n\n"
            "2.5 oz bar. Made in a facility that also handles milk and tree nuts."
        ),
    ),
    DemoProduct(
        title="Kettle-Cooked Potato Chips, Sea Salt",
        handle="kettle-chips-sea-salt",
        sku="CS-0007",
        price="3.99",
        stock=0,
        collections=("pantry",),
        tags=("snacks",),
        description=(
            "Thick-cut potatoes cooked in small batches in sunflower oil and seasoned with nothing "
            "but sea salt. Extra crunchy.\n\n"
            "8 oz bag."
        ),
    ),
    DemoProduct(
        title="Aged Basmati Rice, 5 lb",
        handle="basmati-rice",
        sku="CS-0008",
        price="11.49",
        stock=25,
        collections=("pantry",),
        tags=("pantry", "rice"),
        description=(
            "Long-grain basmati aged for a year, for fluffier, more fragrant grains that stay "
            "separate after cooking. Grown in the foothills of the Himalayas.\n\n"
            "Rinse well, then cook 1 part rice to 1.5 parts water."
        ),
    ),
    DemoProduct(
        title="Pure Maple Syrup, Grade A Amber",
        handle="pure-maple-syrup",
        sku="CS-0009",
        price="14.99",
        compare_at_price="17.99",
        stock=12,
        collections=("pantry", "bestsellers"),
        tags=("pantry", "breakfast"),
        description=(
            "Rich-tasting amber syrup from a family sugarbush in Vermont. Nothing added, nothing "
            "taken away.\n\n"
            "8.5 fl oz glass bottle. Refrigerate after opening."
        ),
    ),
    DemoProduct(
        title="Trail Mix, Cranberry & Cashew",
        handle="trail-mix",
        sku="CS-0010",
        price="6.49",
        stock=33,
        collections=("pantry",),
        tags=("snacks",),
        description=(
            "Roasted cashews, almonds, pumpkin seeds, dried cranberries and a few dark chocolate "
            "chunks. Lightly salted.\n\n"
            "12 oz resealable pouch."
        ),
    ),
    DemoProduct(
        title="Bronze-Cut Spaghetti, 1 lb",
        handle="bronze-cut-spaghetti",
        sku="CS-0011",
        price="3.79",
        stock=65,
        collections=("pantry",),
        tags=("pantry", "pasta", "italian"),
        description=(
            "Durum wheat pasta extruded through bronze dies and dried slowly, so the surface stays "
            "rough and holds on to sauce. Made in Gragnano, Italy.\n\n"
            "Cooks in 10 to 11 minutes."
        ),
    ),
    DemoProduct(
        title="House Blend Coffee, 12 oz",
        handle="house-blend-coffee-beans",
        sku="CS-0012",
        price="13.99",
        stock=30,
        collections=("coffee-tea", "bestsellers"),
        tags=("coffee", "whole bean"),
        option_names=("Grind",),
        variants=(
            DemoVariant(options=("Whole bean",), price="13.99", stock=14, sku="CS-0012-WB"),
            DemoVariant(options=("Drip grind",), price="13.99", stock=10, sku="CS-0012-DR"),
            DemoVariant(options=("Espresso grind",), price="13.99", stock=6, sku="CS-0012-ES"),
        ),
        description=(
            "Our everyday medium roast: Colombian and Ethiopian beans roasted weekly by a roaster "
            "down the road. Chocolatey, round and forgiving in any brewer.\n\n"
            "Roast date stamped on the bag. Buy it whole bean, or we'll grind it for drip and "
            "pour-over or for espresso the day it ships."
        ),
    ),
    DemoProduct(
        title="Swiss Water Decaf, Ground, 12 oz",
        handle="swiss-water-decaf",
        sku="CS-0013",
        price="12.49",
        stock=0,
        collections=("coffee-tea",),
        tags=("coffee", "decaf"),
        description=(
            "Colombian beans decaffeinated with the chemical-free Swiss Water Process, then "
            "roasted medium-dark. All the caramel flavour, none of the 3 a.m. regret.\n\n"
            "Medium grind, suited to drip and pour-over."
        ),
    ),
    DemoProduct(
        title="English Breakfast Tea, 50 bags",
        handle="english-breakfast-tea",
        sku="CS-0014",
        price="6.99",
        stock=44,
        collections=("coffee-tea",),
        tags=("tea", "black tea"),
        description=(
            "A brisk blend of Assam and Ceylon black teas that stands up to milk. Plastic-free, "
            "compostable bags.\n\n"
            "Steep 3 to 5 minutes in freshly boiled water."
        ),
    ),
    DemoProduct(
        title="Loose-Leaf Sencha Green Tea, 100 g",
        handle="sencha-green-tea",
        sku="CS-0015",
        price="9.99",
        stock=3,
        collections=("coffee-tea",),
        tags=("tea", "green tea", "loose leaf"),
        description=(
            "First-flush sencha from Shizuoka, Japan: grassy, sweet and a little savoury.\n\n"
            "Use 1 teaspoon per cup with water at about 175 °F and steep for 1 minute. The leaves "
            "can be steeped twice more."
        ),
    ),
    DemoProduct(
        title="French Press, 8-Cup",
        handle="french-press-8-cup",
        sku="CS-0016",
        price="34.00",
        compare_at_price="42.00",
        stock=7,
        collections=("coffee-tea", "kitchen"),
        tags=("coffee", "brewing"),
        description=(
            "Borosilicate glass carafe in a brushed stainless steel frame, with a four-layer mesh "
            "filter for a clean cup. Holds 34 fl oz, or about four mugs.\n\n"
            "Dishwasher-safe. Replacement filters are available at the counter."
        ),
    ),
    DemoProduct(
        title="Ceramic Pour-Over Dripper",
        handle="ceramic-pour-over-dripper",
        sku="CS-0017",
        price="24.00",
        stock=5,
        collections=("coffee-tea",),
        tags=("coffee", "brewing"),
        description=(
            "A glazed porcelain cone that holds heat well and brews one or two cups at a time. "
            "Fits standard #2 paper filters.\n\n"
            "Made in Japan. Matte white."
        ),
    ),
    DemoProduct(
        title="Chamomile Flower Tea, 20 bags",
        handle="chamomile-tea",
        sku="CS-0018",
        price="5.49",
        stock=27,
        collections=("coffee-tea",),
        tags=("tea", "caffeine-free"),
        description=(
            "Whole Egyptian chamomile flowers and nothing else. Caffeine-free, honey-sweet and "
            "calming before bed.\n\n"
            "Steep for 5 minutes, covered."
        ),
    ),
    DemoProduct(
        title="Cast Iron Skillet, 10-inch",
        handle="cast-iron-skillet",
        sku="CS-0019",
        price="39.00",
        stock=9,
        collections=("kitchen", "bestsellers"),
        tags=("cookware", "cast iron"),
        description=(
            "Pre-seasoned cast iron that goes from stovetop to oven to campfire and only gets "
            "better with use. Works on induction.\n\n"
            "10.25 inches across, 5.3 lb. Made in Tennessee."
        ),
    ),
    DemoProduct(
        title="Chef's Knife, 8-inch",
        handle="chefs-knife-8-inch",
        sku="CS-0020",
        price="89.00",
        compare_at_price="109.00",
        stock=2,
        collections=("kitchen",),
        tags=("knives", "cookware"),
        description=(
            "Forged from high-carbon German stainless steel, with a full tang and a comfortable "
            "pakkawood handle. Sharp out of the box and easy to hone.\n\n"
            "8-inch blade, hand wash only. Free sharpening for life: just bring it in."
        ),
    ),
    DemoProduct(
        title="Bamboo Cutting Board, Large",
        handle="bamboo-cutting-board",
        sku="CS-0021",
        price="22.50",
        stock=18,
        collections=("kitchen",),
        tags=("kitchen", "bamboo"),
        description=(
            "Sturdy bamboo board with a juice groove on one side and a flat face on the other. "
            "Gentle on knife edges.\n\n"
            "18 x 12 inches. Oil it now and then with food-safe mineral oil."
        ),
    ),
    DemoProduct(
        title="Linen Tea Towels, Set of 2",
        handle="linen-tea-towels",
        sku="CS-0022",
        price="16.00",
        stock=36,
        collections=("kitchen", "household"),
        tags=("linen", "kitchen"),
        description=(
            "Stonewashed European linen in oat and charcoal stripes. Absorbent, quick-drying and "
            "lint-free on glassware, and softer with every wash.\n\n"
            "Each 20 x 28 inches, with a hanging loop."
        ),
    ),
    DemoProduct(
        title="Glass Storage Jars, Set of 3",
        handle="glass-storage-jars",
        sku="CS-0023",
        price="27.00",
        stock=0,
        collections=("kitchen",),
        tags=("storage", "kitchen"),
        description=(
            "Clear borosilicate jars with airtight bamboo lids, sized for pasta, rice and coffee "
            "beans. Stackable.\n\n"
            "Capacities: 34, 27 and 20 fl oz."
        ),
    ),
    DemoProduct(
        title="Olive Wood Spoon Set",
        handle="olive-wood-spoon-set",
        sku="CS-0024",
        price="14.50",
        stock=41,
        collections=("kitchen",),
        tags=("utensils", "kitchen"),
        description=(
            "A spoon, a slotted spoon and a flat spatula, each carved from a single piece of olive "
            "wood. They won't scratch non-stick pans.\n\n"
            "About 12 inches long. Hand wash and dry upright."
        ),
    ),
    DemoProduct(
        title="Beeswax Pillar Candle",
        handle="beeswax-pillar-candle",
        sku="CS-0025",
        price="18.00",
        stock=15,
        collections=("household",),
        tags=("candles", "home"),
        option_names=("Size",),
        variants=(
            DemoVariant(options=("3 x 4 in",), price="18.00", stock=9, sku="CS-0025-34"),
            DemoVariant(options=("3 x 6 in",), price="24.00", stock=6, sku="CS-0025-36"),
        ),
        description=(
            "Pure beeswax with a cotton wick, poured by a beekeeper upstate. Burns cleanly and "
            "slowly with a faint scent of honey.\n\n"
            "Two sizes: 3 x 4 inches, about 40 hours of burn time, or 3 x 6 inches, about 60 hours."
        ),
    ),
    DemoProduct(
        title="Unscented Laundry Detergent, 64 loads",
        handle="unscented-laundry-detergent",
        sku="CS-0026",
        price="15.99",
        stock=22,
        collections=("household",),
        tags=("cleaning", "laundry"),
        description=(
            "Plant-based liquid detergent free of dyes and fragrances, gentle on sensitive skin "
            "and effective in cold water.\n\n"
            "64 fl oz bottle. Safe for HE machines."
        ),
    ),
    DemoProduct(
        title="Grapefruit Dish Soap Refill, 32 oz",
        handle="dish-soap-refill",
        sku="CS-0027",
        price="7.49",
        stock=58,
        collections=("household",),
        tags=("cleaning", "refill"),
        description=(
            "Grease-cutting dish soap scented with grapefruit and a little rosemary. Bring your "
            "empty bottle back and we'll refill it at a discount.\n\n"
            "Biodegradable formula."
        ),
    ),
    DemoProduct(
        title="Compostable Trash Bags, 13 gal, 30 count",
        handle="compostable-trash-bags",
        sku="CS-0028",
        price="9.29",
        stock=4,
        collections=("household",),
        tags=("cleaning", "compostable"),
        description=(
            "Certified compostable kitchen bags made from plant starch. Strong enough for everyday "
            "kitchen waste, and they break down in municipal compost.\n\n"
            "Fits standard 13-gallon bins. Store away from heat and humidity."
        ),
    ),
    DemoProduct(
        title="LED Bulbs, Warm White, 4-pack",
        handle="led-bulbs-4-pack",
        sku="CS-0029",
        price="12.99",
        compare_at_price="15.99",
        stock=29,
        collections=("household",),
        tags=("lighting", "home"),
        description=(
            "60-watt-equivalent A19 bulbs that draw just 9 watts. Warm 2700K light, dimmable, "
            "rated for 15,000 hours.\n\n"
            "Standard E26 base."
        ),
    ),
    DemoProduct(
        title="Natural Bristle Dish Brush",
        handle="natural-dish-brush",
        sku="CS-0030",
        price="6.50",
        stock=37,
        collections=("household", "kitchen"),
        tags=("cleaning", "kitchen"),
        description=(
            "Beechwood handle with stiff tampico fibres for pots, pans and cast iron. The head is "
            "replaceable.\n\n"
            "9 inches long. Made in Germany."
        ),
    ),
    DemoProduct(
        title="Dot-Grid Notebook, A5",
        handle="dot-grid-notebook-a5",
        sku="CS-0031",
        price="12.00",
        stock=46,
        collections=("stationery", "bestsellers"),
        tags=("notebooks", "stationery"),
        description=(
            "192 numbered pages of 100 gsm ivory paper that takes fountain pen ink without "
            "bleeding. Lay-flat binding, ribbon marker and a back pocket.\n\n"
            "Linen hardcover in forest green."
        ),
    ),
    DemoProduct(
        title="Black Gel Pens, 5-pack",
        handle="black-gel-pens",
        sku="CS-0032",
        price="7.99",
        stock=60,
        collections=("stationery",),
        tags=("pens", "stationery"),
        description=(
            "Smooth, quick-drying 0.5 mm gel pens with a soft grip. The ones that keep "
            "disappearing from your desk.\n\n"
            "Refillable."
        ),
    ),
    DemoProduct(
        title="Kraft Envelopes, A7, 25-pack",
        handle="kraft-envelopes",
        sku="CS-0033",
        price="5.99",
        stock=1,
        collections=("stationery",),
        tags=("envelopes", "stationery"),
        description=(
            "Recycled brown kraft envelopes sized for 5 x 7 inch cards and invitations. "
            "Peel-and-seal flap.\n\n"
            "25 envelopes per pack."
        ),
    ),
    DemoProduct(
        title="Illustrated Wall Calendar",
        handle="illustrated-wall-calendar",
        sku="CS-0034",
        price="19.00",
        compare_at_price="24.00",
        stock=10,
        collections=("stationery",),
        tags=("calendars", "stationery"),
        description=(
            "Twelve months of neighbourhood scenes by a local illustrator, printed on heavy "
            "uncoated paper with plenty of room to write.\n\n"
            "11 x 17 inches open. Hanging hole included."
        ),
    ),
    DemoProduct(
        title="Gift Card",
        handle="gift-card",
        sku="CS-0035",
        price="25.00",
        stock=120,
        collections=("bestsellers",),
        tags=("gift card", "gifts"),
        description=(
            "Not sure what to get? A $25 Corner Store gift card works online and in the shop, and "
            "it never expires.\n\n"
            "Sent by email with your message; ask at the counter for a printed card."
        ),
    ),
    DemoProduct(
        title="Corner Store Logo T-Shirt",
        handle="corner-store-tee",
        sku="CS-0036",
        price="24.00",
        stock=31,
        collections=("bestsellers",),
        tags=("apparel", "gifts"),
        option_names=("Size", "Colour"),
        variants=(
            DemoVariant(options=("S", "Heather grey"), price="24.00", stock=6, sku="CS-0036-S-GRY"),
            DemoVariant(options=("M", "Heather grey"), price="24.00", stock=9, sku="CS-0036-M-GRY"),
            DemoVariant(options=("L", "Heather grey"), price="24.00", stock=4, sku="CS-0036-L-GRY"),
            DemoVariant(options=("S", "Navy"), price="24.00", stock=5, sku="CS-0036-S-NVY"),
            DemoVariant(options=("M", "Navy"), price="24.00", stock=0, sku="CS-0036-M-NVY"),
            DemoVariant(options=("L", "Navy"), price="24.00", stock=7, sku="CS-0036-L-NVY"),
        ),
        description=(
            "Our hand-drawn shopfront, screen-printed a few blocks away on a soft, midweight "
            "organic cotton tee. Unisex regular fit that runs true to size.\n\n"
            "Heather grey or navy. Machine wash cold and tumble dry low."
        ),
    ),
)

PAGES: dict[str, tuple[str, str]] = {
    "about": (
        "About us",
        (
            "The Corner Store has stood at the corner of Alder and 12th since 1987. We're a small, "
            "independent shop: part grocery, part hardware store, part neighbourhood notice "
            "board.\n\n"
            "We stock the everyday basics alongside things we genuinely like: coffee from a "
            "roaster down the road, honey from hives just outside town, and kitchen tools that "
            "will outlast us all.\n\n"
            "If we don't carry something you need, just ask. We'll do our best to get it in."
        ),
    ),
    "contact": (
        "Contact",
        (
            "Questions, special orders or a bulk order for your office? Get in touch. We usually "
            "reply within one business day.\n\n"
            "Phone: +1 (503) 555-0142 (Monday to Saturday 8 am to 8 pm, Sunday 9 am to 5 pm)\n"
            "Email: hello@corner-store.example\n\n"
            "Shop: 418 Alder Street, Portland, OR 97205. Street parking is free after 7 pm and on "
            "Sundays, and the streetcar stops half a block away.\n\n"
            "If you're asking about an order, please include your order number so we can help you "
            "faster."
        ),
    ),
    "shipping": (
        "Shipping",
        (
            "Local delivery: free within 3 miles of the shop on orders over $35, otherwise $4.99. "
            "Orders placed before 2 pm arrive the same day; later orders arrive the next day.\n\n"
            "Shipping: we ship anywhere in the contiguous United States with USPS or UPS Ground. "
            "Orders leave the shop within 1 business day and usually arrive in 3 to 5 business "
            "days. Rates are calculated at checkout, and orders over $75 ship free. We can't ship "
            "to Alaska, Hawaii or P.O. boxes yet.\n\n"
            "Pick-up: choose in-store pick-up at checkout and we'll email you when your order is "
            "ready, usually within 2 hours. Perishables and glass jars are available for local "
            "delivery or pick-up only."
        ),
    ),
    "returns": (
        "Returns",
        (
            "Unopened items can be returned within 30 days of delivery for a full refund to your "
            "original payment method. Bring them to the shop with your receipt, or email us for a "
            "prepaid return label; we deduct $5.99 for return shipping unless the mistake was "
            "ours.\n\n"
            "If something arrives damaged or isn't what you ordered, email us a photo within 7 "
            "days and we'll send a replacement or refund you in full. There's no need to send it "
            "back.\n\n"
            "Refunds are issued within 3 business days of your return reaching us. Gift cards, "
            "opened food and perishables can't be returned. Unworn T-shirts can be exchanged for "
            "another size or colour."
        ),
    ),
}

STORE = DemoStore(
    slug="corner-store",
    timezone="America/Los_Angeles",
    country="US",
    name="The Corner Store",
    locale="en",
    currency="USD",
    tagline="Everyday essentials and a few small luxuries, just around the corner.",
    contact_email="hello@corner-store.example",
    contact_phone="+1 (503) 555-0142",
    address="418 Alder Street, Portland, OR 97205",
    owner_email="owner@corner-store.example",
    collections=COLLECTIONS,
    products=PRODUCTS,
    pages=PAGES,
    theme="default",
    theme_settings={
        "hero_title": "Your corner store, now online",
        "hero_text": (
            "Coffee roasted down the road, honey from just outside town and all the everyday "
            "basics. Free local delivery on orders over $35."
        ),
        "featured_collection": "bestsellers",
    },
    plugins={
        "shipping": {"zones": (
            "# Local delivery in Portland, and USPS everywhere else in the US.\n"
            "Portland: US / OR / Portland\n"
            "  Local delivery: 4 (1 day)\n"
            "  Free local delivery: free over 35\n"
            "  Pick up at the store: pickup\n"
            "United States: US\n"
            "  USPS Ground: weight 0-1kg 6, 1-5kg 12, 5kg+ 20\n")},
        # Cards need the merchant's own Stripe keys (Plugins > Stripe); until then the
        # store takes cash on delivery locally.
        "stripe": {},
        "cash-on-delivery": {"zones": ["portland"]},
        "tax": {"label": "Sales tax", "rate": "0"},
    },
    coupons={"WELCOME5": ("fixed", "5", "25")},
)
