"""Name pools for people and companies. Large enough that 1,000 reps and 30,000 accounts stay unique."""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    """A pool written as running text, one word per entry (keeps 400 names readable)."""
    return tuple(text.split())


FIRST_NAMES = _words(
    "Aaliyah Aaron Abigail Adam Adrian Aisha Alan Alejandro Alex Alexis Alice Alicia Amara "
    "Amir Amy Ana Andre Andrea Andrew Angela Anika Anita Anthony Arjun Asha Ashley Ava Ayesha "
    "Ben Bianca Blake Brandon Brian Brianna Caleb Camila Carlos Carmen Caroline Cassandra "
    "Chen Chloe Chris Christina Claire Colin Connor Dana Daniel Daniela Darius David Deepa "
    "Derek Diana Diego Dmitri Eduardo Elena Eli Elijah Elise Emeka Emily Emma Eric Erin "
    "Esther Ethan Eva Farah Fatima Felix Fiona Gabriel Gemma Grace Grant Hana Hannah Harper "
    "Hassan Hector Helen Hiro Ian Imani Irene Isaac Isabel Ivan Jack Jada Jamal James Jasmine "
    "Javier Jenna Jessica Joanna Jonah Jordan Jorge Jose Joy Julia Julian Kai Kamala Karen "
    "Kate Keisha Kenji Kevin Kiara Kofi Laila Lauren Layla Leah Leo Liam Lily Lina Logan "
    "Lucas Lucia Luis Maya Malik Marco Maria Mariana Marcus Mark Mateo Megan Mei Mia Michael "
    "Miguel Mila Naomi Nadia Natalie Nathan Neha Nia Nick Nina Noah Nora Olivia Omar Oscar "
    "Owen Pablo Paige Patrick Paul Pedro Peter Priya Quinn Rachel Rafael Rahul Rebecca Renee "
    "Ricardo Riley Rosa Ruby Ryan Sade Samira Samuel Sana Sara Sean Sergio Shreya Simone "
    "Sofia Sophie Stefan Steven Sunita Tamara Tariq Taylor Teresa Theo Thomas Tiana Tomas "
    "Tyler Valeria Vanessa Victor Vikram Wei Whitney Will Xavier Yara Yusuf Zainab Zoe"
)

LAST_NAMES = _words(
    "Abbott Adeyemi Aguilar Ahmed Alvarez Anderson Andersson Arnold Bailey Baker Banerjee "
    "Barnes Bauer Bell Bennett Bhatt Bishop Blake Boateng Bowen Brooks Burke Byrne Campbell "
    "Carter Castillo Chang Chavez Chen Choi Clarke Cole Coleman Collins Cooper Cruz "
    "Cunningham Dang Davies Delgado Diaz Dixon Doherty Douglas Duarte Dubois Duncan Edwards "
    "Ellis Eriksen Evans Farouk Ferguson Fernandez Fischer Fleming Flores Foster Fox Fraser "
    "Gallagher Garcia Garner Gibson Gomez Gonzalez Gordon Graham Grant Gray Greene Gupta "
    "Haddad Hall Hamilton Hansen Harper Harris Hayes Henderson Hernandez Hill Hoang Holmes "
    "Hughes Hunt Ibrahim Ito Iyer Jackson James Jansen Jimenez Johansson Johnson Jones Joshi "
    "Kaur Kelly Kennedy Khan Kim Klein Kowalski Kumar Lambert Larsen Le Lee Lewis Lin Lopez "
    "Lynch MacDonald Mahmoud Malik Marsh Martin Martinez Mason Matsumoto Mehta Mendoza Meyer "
    "Miller Mitchell Moore Morales Moreno Morgan Murphy Murray Nakamura Nash Navarro Nguyen "
    "Nielsen Novak Nunez Obi Okafor Okoye Oliveira Olsen Ortiz Osei Owens Park Patel Pearson "
    "Perez Perry Petrov Phillips Pierce Porter Price Quinn Rahman Ramirez Ramos Rao Reed "
    "Reyes Richards Rivera Roberts Robinson Rodriguez Rossi Russell Saito Salazar Sanchez "
    "Santos Schmidt Scott Shah Sharma Shaw Silva Simmons Singh Sato Stewart Sullivan Suzuki "
    "Tanaka Taylor Thompson Torres Tran Turner Vargas Vasquez Vega Volkov Walker Wallace "
    "Walsh Wang Ward Watson Weber Wells West White Williams Wilson Wong Wright Wu Yamamoto "
    "Yang Young Zhang Zhou"
)

COMPANY_HEADS = _words(
    "Acorn Alder Amber Anchor Apex Arbor Archway Ashford Aspen Atlas Aurora Bay Beacon "
    "Bedrock Birch Blue Bluff Bolt Bramble Bridge Bright Brook Canyon Capstone Cardinal Cedar "
    "Chestnut Clear Cliff Cobalt Copper Coral Cornerstone Crescent Crest Crown Cypress Delta "
    "Driftwood Eagle East Elm Ember Evergreen Fairview Falcon Fern Fieldstone Flint Forge Fox "
    "Frontier Garnet Gateway Glacier Golden Granite Green Grove Harbor Hawthorn Heritage "
    "Highland Hillcrest Horizon Iron Ivy Juniper Keystone Lakeside Landmark Larch Laurel "
    "Liberty Lighthouse Linden Maple Marble Meadow Meridian Mesa Midland Millbrook Monarch "
    "Mosaic North Northgate Oak Ocean Orchard Osprey Pacific Paragon Pine Pinnacle Pioneer "
    "Prairie Quarry Rampart Red Redwood Ridge River Rock Rowan Sage Sandstone Sequoia Shore "
    "Silver Slate Spring Spruce Stone Summit Sun Tall Terra Thistle Timber Trail True Union "
    "Valley Vantage Vista Willow Wind Wolf Yellow"
)

COMPANY_TAILS = _words(
    "brook field gate hill line mark point ridge stone view wood works way haven crest port "
    "side dale ford bridge well"
)

COMPANY_FORMS = (
    "{head}{tail} {word}",
    "{head} {word}",
    "{head} {other} {word}",
    "{last} & {last2} {word}",
)

# The selling company of the demo, and what it sells: finance operations automation.
VENDOR = "Ledgerlight"
VENDOR_DOMAIN = "ledgerlight.example"
PRODUCT_MODULES = ("Reconcile", "Payables", "Close", "Insights")

COMPETITORS = ("Tallyhawk", "BrightLedger", "Closewise", "Paystream", "Reconcilio", "FinFlow")
ERPS = (
    "NetSuite",
    "QuickBooks Online",
    "Sage Intacct",
    "Dynamics 365",
    "Xero",
    "SAP Business One",
    "Acumatica",
)
# Each reads as a singular noun phrase: "we're on {tool}", "{tool} does the job".
CURRENT_TOOLS = (
    "a shared Excel workbook",
    "a homegrown Access database",
    "our Google Sheets setup",
    "the old macro-heavy workbook",
    "a big master spreadsheet",
    "our patchwork of spreadsheets",
)

CHAMPION_TITLES = (
    "Controller",
    "Accounting Manager",
    "AP Manager",
    "Director of Finance",
    "Finance Manager",
    "Head of Finance Operations",
    "Assistant Controller",
    "Senior Accountant",
)
BUYER_TITLES = ("CFO", "VP of Finance", "COO", "Owner", "Managing Director", "Finance Director")
TECH_TITLES = ("IT Director", "Systems Administrator", "Head of IT", "ERP Administrator")

REGIONS = _words(
    "East North West South Central Midwest Northeast Southeast Southwest Northwest Pacific "
    "Mountain Gulf Atlantic Lakes Plains Bay Coastal Capital Valley"
)
SEGMENTS = ("Mid-Market", "Commercial", "Growth", "Emerging", "Enterprise", "SMB")

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

NUMBER_WORDS = _words(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)


def number_word(value: int) -> str:
    """Small numbers as people say them ('three people'); larger ones as digits."""
    return NUMBER_WORDS[value] if 0 <= value < len(NUMBER_WORDS) else str(value)


def money(amount: float) -> str:
    """'$3,400' or '$48,000': rounded the way people quote money on a call."""
    if amount >= 10_000:
        amount = round(amount / 1000) * 1000
    elif amount >= 1_000:
        amount = round(amount / 100) * 100
    else:
        amount = round(amount / 10) * 10
    return f"${amount:,.0f}"
