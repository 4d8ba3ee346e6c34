"""The demo data set: an invented industrial and office supplies distributor and its customers.

Everything here was written for Comptoir; names, companies, people and addresses are made up
(e-mail addresses use the reserved ``.example`` domain). ``comptoir demo load`` turns it into
records through the upsert services, so loading it twice changes nothing.

Prices are given once per product (the Default list's price of one primary unit) and the lists
derive theirs by rule, the way a distributor's ERP would export them:

- every list prices the primary unit at tiers ``TIERS`` (1, 10 and 50 units, each a little
  cheaper), and each additional sellable unit at one tier, its conversion rate times the unit
  price less ``PACK_DISCOUNT_PERCENT``;
- a list takes ``percent_off`` off the Default price of the products it covers (all of them,
  those of some top-level categories, or those it names with a price of their own).

Values are rounded half-up to the cent.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

# A demo password, the same for every demo login and printed by ``comptoir demo load``:
# never reuse it, and never load the demo data into a shop that real people use.
DEMO_PASSWORD = "comptoir-demo"
STAFF_EMAIL = "admin@comptoir.example"
CURRENCY = "USD"

# (tier quantity, percent off the list's unit price)
TIERS = ((Decimal(1), Decimal(0)), (Decimal(10), Decimal(5)), (Decimal(50), Decimal(10)))
PACK_DISCOUNT_PERCENT = Decimal(4)


@dataclass(frozen=True)
class UnitData:
    code: str
    label: str
    default_precision: int


@dataclass(frozen=True)
class CategoryData:
    name: str
    description: str
    children: tuple[str, ...]


@dataclass(frozen=True)
class ExtraUnit:
    """An additional unit: ``conversion_rate`` primary units in one of it."""

    code: str
    conversion_rate: Decimal
    precision: int = 0
    is_sellable: bool = True


@dataclass(frozen=True)
class ProductData:
    sku: str
    name: str
    category: str
    brand: str
    unit: str
    price: Decimal
    description: str
    precision: int = 0
    extra_units: tuple[ExtraUnit, ...] = ()
    specifications: str = ""
    msrp: Decimal | None = None
    is_featured: bool = False
    is_new_arrival: bool = False


@dataclass(frozen=True)
class AssignmentData:
    """Where a list sits: a company, a customer group, or (neither) the default website."""

    sort_order: int
    company: str | None = None
    customer_group: str | None = None
    merge_allowed: bool = True


@dataclass(frozen=True)
class PriceListData:
    name: str
    assignments: tuple[AssignmentData, ...]
    percent_off: Decimal = Decimal(0)
    # Top-level categories whose products the list covers; empty with no ``own_prices``: all.
    categories: tuple[str, ...] = ()
    # SKU -> the list's own unit price, instead of a percentage off Default.
    own_prices: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class AddressData:
    label: str
    street: str
    city: str
    region: str
    postal_code: str
    country: str = "US"
    street2: str = ""
    name: str = ""
    is_billing: bool = True
    is_shipping: bool = True
    is_default_billing: bool = False
    is_default_shipping: bool = False


@dataclass(frozen=True)
class UserData:
    email: str
    first_name: str
    last_name: str
    role: str


@dataclass(frozen=True)
class CompanyData:
    name: str
    customer_group: str
    payment_term: str
    tax_id: str
    addresses: tuple[AddressData, ...]
    users: tuple[UserData, ...]
    parent: str | None = None


@dataclass(frozen=True)
class OrderLineData:
    sku: str
    unit: str
    quantity: Decimal


@dataclass(frozen=True)
class OrderData:
    number: str
    company: str
    placed_by: str
    created_at: datetime
    status: str
    shipping_status: str
    po_number: str
    lines: tuple[OrderLineData, ...]
    customer_notes: str = ""


UNITS = (
    UnitData("item", "item", 0),
    UnitData("box", "box", 0),
    UnitData("pallet", "pallet", 0),
    UnitData("kg", "kilogram", 3),
    UnitData("m", "metre", 1),
)

BRANDS = ("Bellmark", "Corvane", "Fenwright", "Quillory", "Stoutridge", "Tessaline")

CATEGORIES = (
    CategoryData(
        "Fasteners",
        "Screws, bolts, anchors and nuts for wood, sheet metal and masonry.",
        ("Screws and bolts", "Anchors and nuts"),
    ),
    CategoryData(
        "Safety",
        "Protective equipment for the workshop, the warehouse and the loading dock.",
        ("Gloves", "Eye and ear protection"),
    ),
    CategoryData(
        "Office supplies",
        "Paper and writing supplies for offices, classrooms and shop floors.",
        ("Paper", "Writing"),
    ),
    CategoryData(
        "Packaging",
        "Everything to pack, seal and strap a shipment.",
        ("Tape and film", "Boxes and strapping"),
    ),
    CategoryData(
        "Maintenance",
        "Lubricants, absorbents and cleaning supplies for plants and buildings.",
        ("Lubricants and absorbents", "Cleaning"),
    ),
    CategoryData(
        "Tools",
        "Hand tools and cutting tools that stand up to daily use.",
        ("Hand tools", "Cutting"),
    ),
)


def _box(rate: int) -> ExtraUnit:
    return ExtraUnit("box", Decimal(rate))


def _pallet(rate: int) -> ExtraUnit:
    return ExtraUnit("pallet", Decimal(rate))


PRODUCTS = (
    # Fasteners / Screws and bolts
    ProductData(
        "FS-1101",
        "Wood screws 4 x 40 mm, zinc-plated (box of 200)",
        "Screws and bolts",
        "Stoutridge",
        "box",
        Decimal("8.90"),
        "Countersunk wood screws with a sharp type 17 point that starts without a pilot hole "
        "in softwood.",
        extra_units=(_pallet(240),),
        specifications="Drive: Pozi 2\nThread: partial\nFinish: zinc-plated, blue passivated",
        msrp=Decimal("12.50"),
        is_featured=True,
    ),
    ProductData(
        "FS-1102",
        "Hex bolts M10 x 60, grade 8.8",
        "Screws and bolts",
        "Stoutridge",
        "item",
        Decimal("0.42"),
        "Partially threaded hex bolts for steel frames, racking and machine bases.",
        extra_units=(_box(50),),
        specifications="Standard: ISO 4014\nStrength class: 8.8\nFinish: plain",
    ),
    ProductData(
        "FS-1103",
        "Self-drilling screws 4.8 x 19 mm (box of 500)",
        "Screws and bolts",
        "Stoutridge",
        "box",
        Decimal("21.50"),
        "Hex washer head screws that drill and tap sheet steel up to 2 mm in one pass.",
    ),
    # Fasteners / Anchors and nuts
    ProductData(
        "FS-1201",
        "Nylon wall plugs 8 mm (box of 100)",
        "Anchors and nuts",
        "Stoutridge",
        "box",
        Decimal("4.60"),
        "Four-way expanding plugs for brick, concrete and hollow block.",
    ),
    ProductData(
        "FS-1202",
        "Hex nuts M10, zinc-plated",
        "Anchors and nuts",
        "Stoutridge",
        "item",
        Decimal("0.09"),
        "Standard hex nuts to match the M10 bolts.",
        extra_units=(_box(100),),
    ),
    ProductData(
        "FS-1203",
        "Wedge anchors M12 x 100",
        "Anchors and nuts",
        "Stoutridge",
        "item",
        Decimal("1.35"),
        "Through-bolt anchors for fixing racking and machinery to cracked or uncracked concrete.",
        extra_units=(_box(25),),
        is_new_arrival=True,
    ),
    # Safety / Gloves
    ProductData(
        "SF-2101",
        "Nitrile disposable gloves, size L (box of 100)",
        "Gloves",
        "Fenwright",
        "box",
        Decimal("11.80"),
        "Powder-free, textured fingertips, resistant to oils and light solvents.",
        extra_units=(_pallet(120),),
        msrp=Decimal("16.90"),
        is_featured=True,
    ),
    ProductData(
        "SF-2102",
        "Cut-resistant work gloves, level C (pair)",
        "Gloves",
        "Fenwright",
        "item",
        Decimal("6.75"),
        "Knitted liner with a polyurethane palm for handling sheet metal and glass.",
        extra_units=(_box(12),),
        specifications="Cut level: ISO 13997 C\nSizes: 8 to 11",
    ),
    ProductData(
        "SF-2103",
        "Insulated winter work gloves (pair)",
        "Gloves",
        "Fenwright",
        "item",
        Decimal("9.20"),
        "Thermal lining and a waterproof shell for cold stores and outdoor yards.",
    ),
    # Safety / Eye and ear protection
    ProductData(
        "SF-2201",
        "Safety glasses, clear anti-fog lens",
        "Eye and ear protection",
        "Fenwright",
        "item",
        Decimal("4.10"),
        "Wraparound polycarbonate lens with side protection and soft nose pads.",
        extra_units=(_box(10),),
    ),
    ProductData(
        "SF-2202",
        "Foam ear plugs, 200 pairs",
        "Eye and ear protection",
        "Fenwright",
        "box",
        Decimal("24.00"),
        "Tapered slow-recovery foam plugs in a dispenser box.",
        specifications="Attenuation: SNR 36 dB",
    ),
    ProductData(
        "SF-2203",
        "Over-the-head ear defenders, SNR 30 dB",
        "Eye and ear protection",
        "Fenwright",
        "item",
        Decimal("17.90"),
        "Padded headband and replaceable cushions for long shifts.",
    ),
    # Office supplies / Paper
    ProductData(
        "OF-3101",
        "Copy paper A4, 80 g/m², ream of 500 sheets",
        "Paper",
        "Quillory",
        "item",
        Decimal("6.40"),
        "Bright white paper for laser and inkjet printers and copiers.",
        extra_units=(_box(5), _pallet(240)),
        msrp=Decimal("8.99"),
        is_featured=True,
    ),
    ProductData(
        "OF-3102",
        "Recycled copy paper A4, ream of 500 sheets",
        "Paper",
        "Quillory",
        "item",
        Decimal("6.95"),
        "Made from 100 % recovered fibre, suitable for double-sided printing.",
        extra_units=(_box(5),),
    ),
    ProductData(
        "OF-3103",
        "Sticky notes 76 x 76 mm, pack of 12 pads",
        "Paper",
        "Quillory",
        "item",
        Decimal("7.30"),
        "Yellow repositionable notes, 100 sheets a pad.",
    ),
    # Office supplies / Writing
    ProductData(
        "OF-3201",
        "Ballpoint pens, blue (box of 50)",
        "Writing",
        "Quillory",
        "box",
        Decimal("9.80"),
        "Medium-point retractable pens with a rubber grip.",
    ),
    ProductData(
        "OF-3202",
        "Permanent markers, black (box of 12)",
        "Writing",
        "Quillory",
        "box",
        Decimal("10.40"),
        "Bullet tip markers that write on cardboard, plastic and metal.",
    ),
    ProductData(
        "OF-3203",
        "Whiteboard markers, set of 4 colours",
        "Writing",
        "Quillory",
        "item",
        Decimal("4.25"),
        "Low-odour ink that wipes off dry.",
        extra_units=(_box(10),),
    ),
    # Packaging / Tape and film
    ProductData(
        "PK-4101",
        "Packing tape 48 mm x 66 m, clear",
        "Tape and film",
        "Bellmark",
        "item",
        Decimal("1.95"),
        "Polypropylene tape with an acrylic adhesive that holds in cold warehouses.",
        extra_units=(_box(36),),
        is_featured=True,
    ),
    ProductData(
        "PK-4102",
        "Masking tape 25 mm x 50 m",
        "Tape and film",
        "Bellmark",
        "item",
        Decimal("1.40"),
        "Crepe paper tape for marking and light masking; removes cleanly for 7 days.",
        extra_units=(_box(36),),
    ),
    ProductData(
        "PK-4103",
        "Stretch film 500 mm x 300 m, 17 µm",
        "Tape and film",
        "Bellmark",
        "item",
        Decimal("13.20"),
        "Cast hand film for wrapping pallets, clear.",
        extra_units=(_box(6),),
    ),
    # Packaging / Boxes and strapping
    ProductData(
        "PK-4201",
        "Shipping box 400 x 300 x 300 mm, double wall",
        "Boxes and strapping",
        "Bellmark",
        "item",
        Decimal("1.85"),
        "Brown corrugated box for parts and supplies up to 30 kg.",
        extra_units=(_pallet(400),),
    ),
    ProductData(
        "PK-4202",
        "Padded mailers 240 x 340 mm (box of 100)",
        "Boxes and strapping",
        "Bellmark",
        "box",
        Decimal("27.50"),
        "Self-seal mailers lined with bubble film.",
    ),
    ProductData(
        "PK-4203",
        "Polypropylene strapping 12 mm, by the metre",
        "Boxes and strapping",
        "Bellmark",
        "m",
        Decimal("0.08"),
        "Hand-grade strapping for closing cartons and bundling; cut to the length ordered.",
        precision=1,
        is_new_arrival=True,
    ),
    # Maintenance / Lubricants and absorbents
    ProductData(
        "MT-5101",
        "Multi-purpose lithium grease, by weight",
        "Lubricants and absorbents",
        "Corvane",
        "kg",
        Decimal("9.60"),
        "NLGI 2 grease for bearings, chassis and general lubrication, dispensed from bulk.",
        precision=3,
        specifications="Thickener: lithium soap\nService range: -20 to 130 °C",
        is_featured=True,
    ),
    ProductData(
        "MT-5102",
        "Industrial degreaser, 5 L can",
        "Lubricants and absorbents",
        "Corvane",
        "item",
        Decimal("18.40"),
        "Water-based degreaser for floors, engines and parts washers.",
        extra_units=(_box(4),),
    ),
    ProductData(
        "MT-5103",
        "Oil absorbent granules, by weight",
        "Lubricants and absorbents",
        "Corvane",
        "kg",
        Decimal("1.15"),
        "Clay granules that soak up oil, coolant and water spills.",
        precision=3,
        extra_units=(ExtraUnit("pallet", Decimal(800)),),
    ),
    # Maintenance / Cleaning
    ProductData(
        "MT-5201",
        "Cotton wiping rags, by weight",
        "Cleaning",
        "Corvane",
        "kg",
        Decimal("3.90"),
        "Washed, lint-low cotton rags cut from recycled textiles.",
        precision=3,
    ),
    ProductData(
        "MT-5202",
        "Centrefeed paper towel rolls, pack of 6",
        "Cleaning",
        "Corvane",
        "item",
        Decimal("14.50"),
        "Two-ply rolls for wall dispensers in workshops and washrooms.",
        extra_units=(_pallet(80),),
    ),
    ProductData(
        "MT-5203",
        "Hand soap refill, 5 L",
        "Cleaning",
        "Corvane",
        "item",
        Decimal("12.30"),
        "Mild liquid soap for frequent hand washing, unscented.",
    ),
    # Tools / Hand tools
    ProductData(
        "TL-6101",
        "Claw hammer 450 g, fibreglass handle",
        "Hand tools",
        "Tessaline",
        "item",
        Decimal("15.90"),
        "Forged head with a magnetic nail starter and an anti-vibration grip.",
        msrp=Decimal("22.00"),
        is_featured=True,
    ),
    ProductData(
        "TL-6102",
        "Screwdriver set, 8 pieces",
        "Hand tools",
        "Tessaline",
        "item",
        Decimal("21.40"),
        "Slotted, Phillips and Pozi drivers with hardened tips, in a wall rack.",
    ),
    ProductData(
        "TL-6103",
        "Tape measure 8 m",
        "Hand tools",
        "Tessaline",
        "item",
        Decimal("8.75"),
        "25 mm blade with a belt clip and a slide lock.",
        extra_units=(_box(6),),
    ),
    # Tools / Cutting
    ProductData(
        "TL-6201",
        "Snap-off utility knife 18 mm",
        "Cutting",
        "Tessaline",
        "item",
        Decimal("3.60"),
        "Auto-lock slider and a metal blade channel.",
        extra_units=(_box(12),),
    ),
    ProductData(
        "TL-6202",
        "Snap-off blades 18 mm, tube of 10",
        "Cutting",
        "Tessaline",
        "item",
        Decimal("2.40"),
        "Carbon steel blades to fit the 18 mm utility knife.",
        extra_units=(_box(20),),
    ),
    ProductData(
        "TL-6203",
        "Aviation snips, straight cut",
        "Cutting",
        "Tessaline",
        "item",
        Decimal("17.20"),
        "Compound-action snips for sheet steel up to 1.2 mm.",
    ),
)

PAYMENT_TERMS = (("net 30", 30), ("net 45", 45), ("net 60", 60))

CUSTOMER_GROUPS = ("Industrial accounts", "Resellers", "Public sector")

HARBOR = "Harbor Manufacturing Co."
HARBOR_NORTH = "Harbor Manufacturing - North Plant"
BLUEBIRD = "Bluebird Office Partners"
CEDAR_VALLEY = "Cedar Valley School District"

PRICE_LISTS = (
    PriceListData(
        "Default",
        assignments=(AssignmentData(sort_order=100),),
    ),
    PriceListData(
        "Industrial accounts",
        assignments=(AssignmentData(sort_order=10, customer_group="Industrial accounts"),),
        percent_off=Decimal(6),
        categories=("Fasteners", "Safety", "Maintenance", "Tools"),
    ),
    PriceListData(
        "Resellers",
        assignments=(AssignmentData(sort_order=10, customer_group="Resellers"),),
        percent_off=Decimal(12),
    ),
    PriceListData(
        "Public sector",
        assignments=(AssignmentData(sort_order=20, customer_group="Public sector"),),
        percent_off=Decimal(5),
    ),
    PriceListData(
        "Harbor Manufacturing contract",
        assignments=(
            AssignmentData(sort_order=10, company=HARBOR),
            AssignmentData(sort_order=10, company=HARBOR_NORTH),
        ),
        own_prices={
            "FS-1101": Decimal("7.95"),
            "FS-1102": Decimal("0.36"),
            "SF-2101": Decimal("10.20"),
            "SF-2102": Decimal("5.90"),
            "OF-3101": Decimal("5.95"),
            "MT-5101": Decimal("8.40"),
        },
    ),
    PriceListData(
        # Without merging, the district's prices for a product replace every other list's.
        "Cedar Valley schools",
        assignments=(AssignmentData(sort_order=10, company=CEDAR_VALLEY, merge_allowed=False),),
        percent_off=Decimal(15),
        categories=("Office supplies", "Maintenance"),
    ),
)

COMPANIES = (
    CompanyData(
        HARBOR,
        customer_group="Industrial accounts",
        payment_term="net 30",
        tax_id="US-99-4417201",
        addresses=(
            AddressData(
                "Head office",
                "1200 Quayside Drive",
                "Port Alder",
                "WA",
                "98601",
                name="Accounts payable",
                is_shipping=False,
                is_default_billing=True,
            ),
            AddressData(
                "Main plant",
                "45 Foundry Road",
                "Port Alder",
                "WA",
                "98603",
                name="Receiving dock 2",
                is_billing=False,
                is_default_shipping=True,
            ),
        ),
        users=(
            UserData("admin@harbor-mfg.example", "Dana", "Whitfield", "administrator"),
            UserData("buyer@harbor-mfg.example", "Luis", "Ortega", "buyer"),
        ),
    ),
    CompanyData(
        HARBOR_NORTH,
        parent=HARBOR,
        customer_group="Industrial accounts",
        payment_term="net 30",
        tax_id="US-99-4417202",
        addresses=(
            AddressData(
                "North plant",
                "8 Timberline Avenue",
                "Kessler Falls",
                "WA",
                "98841",
                name="Stores",
                is_default_billing=True,
                is_default_shipping=True,
            ),
        ),
        users=(
            UserData("admin@north.harbor-mfg.example", "Tom", "Becker", "administrator"),
            UserData("buyer@north.harbor-mfg.example", "Priya", "Nair", "buyer"),
        ),
    ),
    CompanyData(
        BLUEBIRD,
        customer_group="Resellers",
        payment_term="net 45",
        tax_id="US-99-2280415",
        addresses=(
            AddressData(
                "Warehouse",
                "300 Meadowlark Lane",
                "Linden Springs",
                "OR",
                "97320",
                street2="Unit 4",
                name="Bluebird receiving",
                is_default_billing=True,
                is_default_shipping=True,
            ),
        ),
        users=(
            UserData("admin@bluebird-office.example", "Grace", "Kim", "administrator"),
            UserData("buyer@bluebird-office.example", "Owen", "Marsh", "buyer"),
        ),
    ),
    CompanyData(
        CEDAR_VALLEY,
        customer_group="Public sector",
        payment_term="net 60",
        tax_id="US-99-7730012",
        addresses=(
            AddressData(
                "District office",
                "77 Schoolhouse Road",
                "Cedar Valley",
                "ID",
                "83702",
                name="Business office",
                is_shipping=False,
                is_default_billing=True,
            ),
            AddressData(
                "Central stores",
                "5 Depot Street",
                "Cedar Valley",
                "ID",
                "83705",
                name="Facilities",
                is_billing=False,
                is_default_shipping=True,
            ),
        ),
        users=(
            UserData("admin@cedar-valley-schools.example", "Helen", "Brooks", "administrator"),
            UserData("buyer@cedar-valley-schools.example", "Marcus", "Reed", "buyer"),
        ),
    ),
)


def _lines(*lines: tuple[str, str, str]) -> tuple[OrderLineData, ...]:
    return tuple(OrderLineData(sku, unit, Decimal(quantity)) for sku, unit, quantity in lines)


ORDERS = (
    OrderData(
        "DEMO-1001",
        HARBOR,
        placed_by="buyer@harbor-mfg.example",
        created_at=datetime(2026, 3, 12, 9, 30, tzinfo=UTC),
        status="closed",
        shipping_status="shipped",
        po_number="HM-22817",
        lines=_lines(
            ("FS-1101", "box", "20"), ("SF-2101", "box", "10"), ("MT-5101", "kg", "12.5")
        ),
    ),
    OrderData(
        "DEMO-1002",
        HARBOR_NORTH,
        placed_by="buyer@north.harbor-mfg.example",
        created_at=datetime(2026, 5, 4, 14, 5, tzinfo=UTC),
        status="closed",
        shipping_status="shipped",
        po_number="NP-0412",
        lines=_lines(("SF-2102", "item", "24"), ("SF-2201", "box", "3"), ("TL-6103", "item", "6")),
    ),
    OrderData(
        "DEMO-1003",
        BLUEBIRD,
        placed_by="buyer@bluebird-office.example",
        created_at=datetime(2026, 6, 19, 11, 0, tzinfo=UTC),
        status="closed",
        shipping_status="shipped",
        po_number="BB-7781",
        lines=_lines(("OF-3101", "box", "40"), ("OF-3201", "box", "15"), ("PK-4101", "box", "4")),
    ),
    OrderData(
        "DEMO-1004",
        CEDAR_VALLEY,
        placed_by="buyer@cedar-valley-schools.example",
        created_at=datetime(2026, 9, 2, 8, 45, tzinfo=UTC),
        status="open",
        shipping_status="partially_shipped",
        po_number="CV-2026-118",
        customer_notes="Deliver to central stores before the first day of school.",
        lines=_lines(
            ("OF-3101", "box", "60"), ("OF-3203", "item", "30"), ("MT-5202", "item", "20")
        ),
    ),
    OrderData(
        "DEMO-1005",
        HARBOR,
        placed_by="admin@harbor-mfg.example",
        created_at=datetime(2026, 11, 20, 16, 20, tzinfo=UTC),
        status="open",
        shipping_status="not_shipped",
        po_number="HM-23140",
        lines=_lines(
            ("FS-1102", "box", "8"),
            ("FS-1202", "box", "8"),
            ("TL-6101", "item", "4"),
            ("MT-5103", "kg", "45.5"),
        ),
    ),
)
