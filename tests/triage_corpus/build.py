"""Write the triage evaluation corpus: dev.jsonl and heldout.jsonl.

Run once by hand (``python tests/triage_corpus/build.py``); tests never run it. The output is
deterministic (fixed seed). Written without reading the triage engine or its tests, so nothing here was
tuned to it. Held-out is frozen: ``--check`` regenerates in memory and fails if ``heldout.jsonl`` differs.
New messages go straight into ``dev.jsonl`` by hand (see README.md); never re-split.

Most messages are written whole, one per line, in the blocks below. The rest join two hand-written
pieces (a frame such as "26 hours post {tx}... {sym}" and a symptom or request); no single frame makes
more than a small share of the corpus, and ``--stats`` prints the largest shares.
"""

import argparse
import collections
import hashlib
import json
import random
import re
import sys
import unicodedata
from pathlib import Path

SEED = 20261201
HERE = Path(__file__).resolve().parent

ROUTE_OF_KIND = {
    "adverse": "safety_escalation",
    "possible_effect": "provider_review",
    "clinical_question": "provider_review",
    "booking": "booking",
    "rebooking": "rebooking",
    "event": "event_follow_up",
    "member": "member_support",
    "bundle": "bundle_help",
    "staff": "staff_review",
    "unclear": "staff_review",
    # benign_alarming carries the route of what the message is really about.
}


def lines(block):
    return [ln.strip() for ln in block.strip().splitlines() if ln.strip() and not ln.strip().startswith("#")]


# --------------------------------------------------------------------------------------------------
# Vocabulary for the slots
# --------------------------------------------------------------------------------------------------
TX = {
    "tox": lines("""
        Botox
        botox
        Dysport
        Xeomin
        Daxxify
        Jeuveau
        tox
        neurotoxin
        baby botox
        forehead botox
        """),
    "filler": lines("""
        filler
        cheek filler
        Juvederm
        Restylane
        RHA
        Voluma
        under eye filler
        tear trough filler
        chin filler
        jawline filler
        nose filler
        Radiesse
        Sculptra
        """),
    "lip": lines("""
        lip filler
        lip injections
        Kysse
        lip fillers
        Juvederm Volbella
        Restylane Kysse
        """),
    "skin": lines("""
        chemical peel
        peel
        VI peel
        microneedling
        Morpheus8
        laser
        CO2 laser
        IPL
        BBL
        laser hair removal
        HydraFacial
        facial
        laser resurfacing
        RF microneedling
        Clear + Brilliant
        dermaplaning
        """),
    "kybella": lines("""
        Kybella
        kybella
        the chin fat dissolving shots
        """),
    "prp": lines("""
        PRP
        the vampire facial
        PRP for my hair
        PRP microneedling
        """),
}
TX["any"] = sorted({t for v in TX.values() for t in v})

WHEN = lines("""
    yesterday
    on Monday
    last Tuesday
    3 days ago
    two days ago
    this morning
    last night
    on Friday
    a week ago
    about 10 days ago
    Saturday
    earlier today
    two weeks ago
    over the weekend
    Wednesday afternoon
    """)
HOURS = ["26", "12", "36", "48", "4", "18", "72", "6", "30", "20", "8"]
NAMES_EN = lines("""
    Dana
    Jessica
    Ashley
    Megan
    Brittany
    Lauren
    Tiffany
    Nicole
    Amanda
    Sarah
    Kayla
    Rachel
    Heather
    Chris
    Mike
    Jordan
    Taylor
    Priya
    Mei
    Aisha
    Courtney
    Vanessa
    """)
NAMES_ES = lines("""
    María
    Guadalupe
    Lupita
    Claudia
    Verónica
    Yesenia
    Marisol
    Alejandra
    Rosa
    Carmen
    Daniela
    Jesús
    Luis
    Araceli
    Paty
    """)
PROVIDERS = ["Nurse Kim", "Dr. Patel", "Jenna", "Dr. Alvarez", "Amber", "Tara", "Nurse Rosa", "Dr. Lee"]
DAYS = lines("""
    Monday
    Tuesday
    Wednesday
    Thursday
    Friday
    Saturday
    tomorrow
    next Tuesday
    this Saturday
    the 14th
    next week
    Friday the 9th
    """)
TIMES = lines("""
    morning
    around 3
    after 5
    at lunch
    at 10am
    4:30
    pm
    after 2
    first thing
    late afternoon
    """)
LOCATIONS = lines("""
    the Scottsdale location
    Silver Lake
    the Phoenix office
    Pasadena
    the downtown LA one
    Tempe
    the Glendale spot
    Chandler
    """)
SERVICES = lines("""
    Botox
    lip filler
    HydraFacial
    microneedling
    chemical peel
    laser hair removal
    IPL photofacial
    cheek filler
    Morpheus8
    Kybella
    PRP facial
    dermaplaning facial
    Dysport
    CO2 laser
    tear trough filler
    lip flip
    BBL
    Sculptra
    Xeomin
    VI peel
    """)
COUNTABLE = {"HydraFacial", "chemical peel", "IPL photofacial", "PRP facial", "dermaplaning facial", "lip flip",
             "VI peel"}

EVENTS = lines("""
    open house
    VIP night
    injectable day
    laser special
    summer glow special
    holiday open house
    Botox bash
    Mother's Day event
    Galentine's night
    fall skin special
    filler happy hour
    new year glow event
    """)
PEOPLE = [
    # (noun phrase, pronouns for symptom slots)
    ("my mom", "f"), ("my sister", "f"), ("my wife", "f"), ("my husband", "m"), ("my daughter", "f"),
    ("my friend", "f"), ("my boyfriend", "m"), ("my dad", "m"), ("my mother-in-law", "f"), ("my girlfriend", "f"),
    ("my aunt", "f"), ("my coworker", "f"), ("my grandma", "f"), ("my partner", "m"), ("my roommate", "f"),
]
PRON = {
    "1": {"my": "my", "i": "I", "im": "I'm", "ihave": "I have", "ive": "I've", "cant": "I can't", "me": "me",
          "feel": "I feel", "dont": "I don't", "keep": "I keep", "look": "I look", "Subj": "I"},
    "f": {"my": "her", "i": "she", "im": "she's", "ihave": "she has", "ive": "she's", "cant": "she can't",
          "me": "her", "feel": "she feels", "dont": "she doesn't", "keep": "she keeps", "look": "she looks",
          "Subj": "She"},
    "m": {"my": "his", "i": "he", "im": "he's", "ihave": "he has", "ive": "he's", "cant": "he can't",
          "me": "him", "feel": "he feels", "dont": "he doesn't", "keep": "he keeps", "look": "he looks",
          "Subj": "He"},
}

# --------------------------------------------------------------------------------------------------
# Adverse events, English. Symptom pieces use {my} {i} {im} {ihave} {cant} ... so they work for the
# caller and for someone else ("my mom"). Grouped by the treatment family they follow.
# --------------------------------------------------------------------------------------------------
SYM_EN = {
    "tox": lines("""
        {my} left eyelid is drooping
        {my} right eye looks half closed
        {cant} lift {my} left eyebrow
        {my} smile is crooked and one side won't move
        {my} smile is gone on the left side
        {cant} drink from a straw
        {my} lid feels heavy and mascara rubs off on it
        one eyebrow is way lower than the other
        {my} eyes won't fully close at night
        water dribbles out of {my} mouth when drinking
        {cant} whistle or pucker anymore
        {my} voice is hoarse
        {ihave} trouble swallowing, food feels stuck
        {cant} hold {my} head up very well
        {my} neck feels weak
        {my} vision is blurry and things look doubled sometimes
        {my} jaw is weak and chewing is hard
        one eye sits lower than the other now
        {my} forehead only moves on one side
        {my} cheek sags and the smile is uneven
        {my} eyelids hang over {my} eyes
        {my} eye waters nonstop
        {ihave} a headache that won't quit and {my} lid is sagging
        {my} words come out a little slurred
        {my} arms feel weak and {im} wiped out
        {my} bottom lip droops when talking
        {my} brow dropped and {my} eye feels heavy
        {my} throat feels tight
        {my} eye won't open all the way
        the corners of {my} mouth turn down and {look} sad
        {my} jaw aches and clicks when chewing
        {my} eyelid twitches and hangs lower
        {my} lip won't move right when talking
        {cant} raise {my} eyebrows at all and {my} lids feel heavy
        {my} face looks frozen and lopsided
        it's hard to get a full breath
        {my} head feels too heavy for {my} neck
        {my} left side of the face feels weak
        """),
    "filler": lines("""
        the skin over {my} cheek went white then dark
        {ihave} a grey patch near one of the injection spots
        there's a purple lacy pattern on {my} cheek
        {my} nose tip looks dusky and mottled
        {ihave} little black spots by {my} nostril
        {my} cheek is cold to the touch
        {ihave} a hard lump under {my} eye
        {ihave} a nodule under the skin that keeps getting bigger
        {my} under eyes are puffy and kind of blue
        {my} chin is red, hot and swollen
        there's pus coming out of one of the injection sites
        {my} face is swollen and {ihave} a fever
        the pain in {my} cheek is like a 9 out of 10
        {my} vision went blurry in one eye
        {my} nose hurts way more than it should and it's turning blue
        the swelling is spreading down {my} face
        {my} cheeks are lumpy and uneven
        {my} face looks lopsided, one cheek is much bigger
        {ihave} a bump that's warm and tender
        there's a red streak spreading along {my} jaw
        the skin blanches when pressed and doesn't pink up again
        {ihave} a bruise that's turning black
        {my} temple feels numb and tingly
        it feels like {i} got hit with a brick
        {my} under eye looks like a water balloon
        {my} cheek is bright red and throbbing
        {ihave} a blister near where the needle went in
        the spot is dark purple and getting bigger
        {my} skin looks mottled like a map
        {my} eye area is swollen shut
        there's a bluish tint under {my} eyes that wasn't there before
        {my} jaw is swollen on one side only
        {ihave} a scab forming where the filler went
        """),
    "lip": lines("""
        {my} lip is kind of white
        {my} upper lip is purple and blotchy
        {my} lips are so swollen {i} can barely talk
        {ihave} blisters on {my} lip
        cold sores are popping up all over {my} lips
        {my} lip has a hard lump on one side
        {my} lips are uneven, one side is bigger
        {my} lip is throbbing and hot
        there's a dark spot on {my} lip that wasn't there yesterday
        {my} lip is numb and tingly
        {my} lip is oozing yellow stuff
        {my} lips went pale and then grey in one spot
        {my} mouth feels like it's on fire
        the lip swelling is getting worse not better
        {cant} close {my} lips all the way
        {my} lip looks like a duck bill and hurts to touch
        {my} lip has white patches and the edge looks dusky
        {my} top lip is lumpy and sore
        {my} lip split open and is bleeding
        there's a small blackish spot on the edge of {my} lip
        """),
    "skin": lines("""
        {my} skin went red and dry
        {my} face is burning and still bright red
        {ihave} blisters on {my} cheeks
        {my} skin is peeling in sheets and oozing
        {ihave} crusty yellow scabs
        {ihave} dark patches where it was done
        {my} face is swollen and {my} eyes are puffy
        {ihave} hives all over {my} neck
        {ihave} a rash that itches like crazy
        {ihave} little white bumps everywhere
        {my} skin looks grey and feels tight
        there are burn marks in lines on {my} face
        {my} skin is raw and weeping
        {ihave} pimples full of pus
        {my} face is hot to the touch
        {ihave} rows of tiny scabs like a grid
        {my} face looks like a lobster and stings
        {ihave} a fever and {my} face is red
        {my} skin turned darker in spots
        there's a white patch that won't go away
        {my} face is swelling up more every hour
        {my} eyes are swollen almost shut
        the redness is spreading down {my} neck
        {my} skin is so sore {i} can't touch it
        {ihave} bumps that look like a rash
        {my} skin feels like a bad sunburn with bubbles
        {ihave} stripes on {my} legs that look burned
        {my} cheeks are blotchy purple
        the skin on {my} upper lip is cracking and bleeding
        {ihave} a cluster of blisters near {my} mouth
        """),
    "kybella": lines("""
        {my} chin is numb and swollen
        {ihave} trouble swallowing
        {my} smile is crooked, the lower lip won't pull down on one side
        {ihave} a hard lump under {my} chin
        {my} neck is so swollen it looks like a frog
        {ihave} a sore patch under {my} chin that's going dark
        {my} lower lip feels weak when smiling
        """),
    "prp": lines("""
        {my} scalp is tender with red bumps
        the swelling went down into {my} forehead and eyes
        {my} face is still puffy and bruised
        {ihave} a headache and {my} scalp is sore and hot
        {my} face has red blotches that itch
        """),
    "any": lines("""
        {i} passed out in the parking lot
        {i} got dizzy and almost fainted
        {im} itchy everywhere and {my} tongue feels thick
        {ihave} a fever and chills
        {my} chest feels tight
        {im} breaking out in hives
        {my} face is swelling up
        {i} had to use {my} inhaler
        {im} throwing up
        {my} heart is racing
        {ihave} welts on {my} arms
        """),
}

FRAMES_1ST = lines("""
    had {tx} {when} and now {sym}
    {hours} hours post {tx}... {sym}
    Hi, I got {tx} with you {when}. Since then {sym}. What should I do?
    probably nothing but {sym} after {tx}
    not trying to be dramatic but {sym}. Got {tx} {when}
    no trouble breathing or anything, just {sym} since the {tx}
    day {d} after {tx} and {sym}, is that normal??
    quick question, {sym}. I had {tx} {when}. Is that part of it?
    so {sym} and I'm freaking out a little. {tx} was {when}
    It's probably fine, but {sym}. Figured I'd mention it. I had {tx} {when}.
    hey its {name}, {sym} since my {tx} appt
    I don't want to bother anyone but {sym}. I was in for {tx} {when}.
    Calling about my {tx} from {when}. Now {sym}.
    ever since the {tx} {sym}
    {sym} :( had {tx} {when}
    is it bad that {sym}? {tx} was {when}
    This is {name}, I was seen {when} for {tx}. Today {sym}. Not sure if I should come in.
    woke up and {sym}. had {tx} {when}
    Um, hi, yeah, so I had {tx} done {when}, and, um, {sym}, and I just wanted somebody to know.
    Following up on my {tx}: {sym}. Not sure if it's the product or me.
    not an emergency I don't think, {sym} after {tx} {when}
    {tx} {when}. {sym}. pls call me
    I'm not in pain really, it's just that {sym}. {tx} was {when}.
    hi! loving the results mostly but {sym} since {tx} {when}
    Was it supposed to do this? {sym} after {tx}
    I had {tx} with {prov} {when} and {sym}. Should I be worried?
    """)
FRAMES_3RD = lines("""
    {who} got {tx} here {when} and now {sym}
    {Who} had {tx} with you guys {when}. Now {sym}. Is that part of it?
    Calling for {who}, {pron} had {tx} {when} and {sym}.
    {who} is a patient of yours, {pron} had {tx} {when} and {sym}
    texting for {who} bc {pron} doesn't text much: {sym} after the {tx} {when}
    {Who} says it's nothing but {sym}. {Pron} had {tx} {when}.
    hi, {who} came in for {tx} {when}, {sym}. what do we do
    {Who} just had {tx} and {sym}, is that normal?
    """)

# Written whole: the odd ones, long ones, and the ones that don't fit a frame.
ADVERSE_EN = lines("""
    my smile is crooked since botox, one side won't move
    Had botox Monday, now my left eye feels heavy and I can't lift that eyebrow
    my voice is hoarse and I can't hold my head up well since the neck botox
    I recently had Botox in my forehead and now my eyelids hang over my eyes
    My sister just had a chemical peel and her skin went red and dry, is that part of it?
    face swelling bad after the peel and my throat feels weird
    probably nothing but my lip is kind of white
    no trouble breathing just my throat feels tight
    26 hours post filler and the skin by my nose went white then dark
    can't drink from a straw since my lip flip, is that how it's supposed to be
    I can't lift my eyebrow on the right since tox
    my smile is gone. like literally one side doesn't smile anymore
    mascara keeps rubbing off on my lid, the lid is sitting lower since Dysport
    my cheek went white then dark after the filler yesterday
    there's a grey spot on my chin where the needle went
    I have purple mottled skin on my forehead after the filler on Thursday
    noticed black spots on the side of my nose this morning, filler was 2 days ago
    Feels like I got hit with a brick. Cheek filler was yesterday. It's throbbing.
    my lips look like I got punched and it's been 5 days
    hey so this is weird but my eyebrow looks like it's falling since the botox
    I look like a stroke patient in the mirror. botox was tuesday
    My mom had botox with you last week and now she can't close her eye all the way
    my husband did the masseter botox and now he says chewing steak is exhausting
    the laser hair removal left blisters on my bikini line
    after IPL I have these dark brown crusty squares on my cheeks
    my face is on fire after the peel, not the good kind, and it's been 3 days
    i think im having an allergic reaction to the numbing cream, my face is blotchy
    just had lip filler an hour ago and my upper lip is turning a weird purple
    is it normal that my tear trough looks blue and lumpy 3 weeks after? it didn't before
    my kybella area is hard as a rock and i can't smile right
    after microneedling I broke out in little pus bumps all over
    I have a fever of 101 and my cheek where the filler is is red and swollen
    the spot where I got sculptra has a hard knot you can see when I smile
    there's a lump in my lip that wasn't there last week and it's sore
    can't feel my upper lip and it's been two days
    My daughter had a hydrafacial and now she has hives on her neck
    i passed out after my botox at home, feeling ok now but wanted to tell you
    vision is blurry in my right eye since the filler this afternoon
    something is wrong, my nose is turning grey where they did the nose filler
    Morpheus8 was a week ago and my jawline is still swollen and now it's hot
    CO2 laser 5 days ago and there's yellow crust and it smells
    my eyelid is droopy, I can barely see out of it, had tox for crow's feet
    hi sorry to text so late, my face feels tight and my tongue feels big after the filler
    I'm seeing double since my botox. it's not constant but it's there
    I'm having trouble swallowing pills since the neck tox
    My head feels heavy and I can't lift it off the pillow without my hands. platysma botox 10 days ago
    I keep biting my cheek, my mouth doesn't feel like my own since the lip flip
    my lip drools when I drink coffee now lol but seriously
    my forehead looks like a shelf and my eyebrows are sitting on my eyes
    my eyes look different sizes since Daxxify
    the left corner of my mouth won't go up when I smile after the masseter shots
    my chin looks dimpled and bumpy and one side is stiff
    there's a blister on my lip and the area around it is white
    my lips are cold and look kinda bluish
    the injection sites are red rings that are getting wider
    i have a red hot spot on my cheek that's spreading, filler was 3 wks ago
    had a facial today and my whole face is bumpy and itching
    ever since the chemical peel my face has brown splotches
    my skin is still weeping clear fluid 4 days after the laser
    got the vampire facial and now there's a rash on my forehead
    numbness in my cheek since the filler, it's not going away
    the bruise from my filler is turning black in the middle
    im having chest pains after my treatment, is that related
    my throat is closing up a little after the IV, is that from the lidocaine?
    my eye is watery and I can't close it tight since the crow's feet tox
    the whites of my eyes went red after the BBL, and my eye hurts
    I feel weak all over since Botox and I'm short of breath climbing stairs
    got my lips done, today there are tiny white dots and the edge is dark
    my under eye filler made a bump that's now red and tender
    the left side of my face is swelling up and I can't see well out of that eye
    my husband's face is numb on one side after his tox, he's freaked out
    my friend had a peel at your place and her face is peeling raw and she has a fever
    my mom's eyelid is drooping since her botox on Friday, she's 68
    my sister got kybella and says she can't swallow right
    my wife can't raise her left eyebrow since the botox and her eye looks smaller
    my daughter's lip is swollen and purple after her first lip filler
    asking for my grandma, she had the facial and now her cheeks are covered in blisters
    My girlfriend had lip filler today and her lip is white and she says it hurts a lot
    took my aunt to her filler appt yesterday and today her nose is mottled purple
    my boyfriend's eyebrow is droopy since the tox, he wants to know what to do
    woke up with one eye swollen shut, had filler in my tear troughs yesterday
    after my peel I had a reaction, hives and itching everywhere
    the laser left white spots on my arm that look like burns
    Hi. So. I had the thing with the needles, the microneedling, Friday. My face has bumps with pus.
    I don't want to make a big deal of it but my lip is a little grey on one side
    not swollen, not red, nothing like that, just my eyelid is lower than before the botox
    it doesn't hurt at all, but the area under my eye went kinda dark purple after filler
    I'm fine honestly, just can't smile on one side since the tox lol
    no fever, no pus, just a hard lump that's gotten bigger since the filler last month
    not an emergency but my eyebrow is drooping, tox 1 wk ago
    everything's fine except I can't blink fully since the forehead tox
    i dont think its serious but my jaw feels weak and its hard to chew
    I'm fine but my throat feels weird when I swallow since the botox
    other than my lips feeling numb I'm good! had filler Tuesday
    so dumb but I can't open my mouth wide since the masseter botox, feels locked
    Okay so it's the third day after my peel and my skin is getting darker not lighter
    my face is hot and swollen like a balloon after my facial
    my lips feel like they're burning after the lip filler and look red
    the top of my nose is white and the skin feels cold
    I've got weird bumps after IPL and they're getting bigger
    4 weeks after Sculptra I have little bumps you can feel under the skin
    Hi this is Priya, day 2 after my filler and my cheek has a dark lacy pattern
    After my dysport, my eyes look uneven and I can't open the left one all the way
    48 hrs after botox and I feel like I have something stuck in my throat
    since my last botox my voice is weak and people say I sound different
    I had PRP in my scalp and now my forehead and eyes are swollen
    my skin is crawling and itchy since the numbing cream, and I have red bumps
    Hey it's Jess! cheeks still swollen from filler after 10 days, and now it's hard and red
    my eye feels like sandpaper and won't stop tearing since the tox
    """)

# --------------------------------------------------------------------------------------------------
# Adverse events, Spanish (LA / Phoenix Spanish, Spanglish). First-person pieces; third persons are
# written whole below.
# --------------------------------------------------------------------------------------------------
TX_ES = {
    "tox": ["botox", "bótox", "dysport", "xeomin", "tox"],
    "filler": ["relleno", "filler", "relleno en los cachetes", "relleno de ojeras", "ácido hialurónico"],
    "lip": ["relleno de labios", "filler de labios", "lip filler"],
    "skin": ["peeling", "peeling químico", "microneedling", "láser", "IPL", "facial", "hidrafacial",
             "tratamiento de láser"],
    "kybella": ["kybella"],
    "prp": ["PRP", "plasma"],
}
TX_ES["any"] = sorted({t for v in TX_ES.values() for t in v})
WHEN_ES = ["ayer", "el lunes", "hace tres días", "hace una semana", "esta mañana", "anoche", "el sábado",
           "hace dos días", "antier", "el viernes", "la semana pasada"]
SYM_ES = {
    "tox": lines("""
        se me cayó el párpado
        tengo el párpado caído
        no puedo levantar la ceja izquierda
        se me ve la sonrisa chueca
        no puedo tomar con popote
        tengo la voz ronca
        no puedo tragar bien
        veo doble
        veo borroso de un ojo
        siento el ojo pesado
        se me sale el agua de la boca al tomar
        no puedo cerrar bien el ojo
        siento el cuello débil
        me cuesta respirar
        siento la garganta cerrada
        una ceja quedó más abajo que la otra
        me duele mucho la cabeza y el ojo se me cae
        no puedo sonreír de un lado
        se me cae el labio de abajo cuando hablo
        no puedo masticar bien
        siento la cara dormida de un lado
        """),
    "filler": lines("""
        tengo la cara hinchada
        el cachete se me puso blanco y luego morado
        tengo manchas moradas
        tengo puntitos negros en la nariz
        la piel está fría y gris
        tengo una bolita dura
        me salió pus
        tengo fiebre y la cara hinchada
        me duele muchísimo, como si me hubieran dado un golpe
        se me ve disparejo
        tengo un moretón que se está poniendo negro
        la hinchazón se está extendiendo
        tengo la nariz morada y me duele
        se me ve la piel como marmoleada
        no veo bien de un ojo
        tengo las ojeras hinchadas y azules
        """),
    "lip": lines("""
        tengo el labio blanco
        el labio se me puso morado
        me salieron ampollas en el labio
        tengo los labios súper hinchados
        tengo una bolita en el labio
        el labio me late y está caliente
        tengo el labio dormido
        me salieron fuegos en los labios
        el labio se ve gris en una parte
        tengo el labio disparejo y duro
        """),
    "skin": lines("""
        me salieron ampollas
        tengo la cara roja y me arde
        tengo ronchas en el cuello
        la piel me supura
        tengo costras amarillas
        tengo manchas oscuras donde me hicieron el láser
        se me hinchó la cara
        tengo comezón y salpullido
        tengo la piel en carne viva
        la cara me quema
        tengo granitos con pus
        lo rojo se está extendiendo al cuello
        tengo los ojos hinchados casi cerrados
        se me está pelando la piel y sale agüita
        tengo la cara caliente
        """),
    "kybella": lines("""
        tengo la barbilla dormida e hinchada
        no puedo tragar bien
        se me ve la sonrisa chueca
        """),
    "prp": lines("""
        tengo el cuero cabelludo rojo y con bolitas
        se me hinchó la frente y los ojos
        """),
    "any": lines("""
        me desmayé
        me mareé y casi me desmayo
        siento la lengua gruesa
        tengo urticaria
        tengo fiebre y escalofríos
        siento el pecho apretado
        tengo mucha comezón en todo el cuerpo
        """),
}
FRAMES_ES = lines("""
    me hice {tx} {when} y {sym}
    hola, me puse {tx} {when} y ahora {sym}
    {hours} horas después del {tx} y {sym}
    probablemente no es nada pero {sym} después del {tx}
    no me falta el aire, nada más {sym} desde el {tx}
    Hola, buenas tardes, le llamo porque me hice {tx} {when} y {sym}. ¿Qué hago?
    desde el {tx} {sym}, es normal?
    hi, me hice {tx} {when} and now {sym}
    oiga, {sym} y me hice {tx} {when}, me preocupa
    buenas, soy {name}, {sym} desde que me hice {tx}
    no es urgente creo, pero {sym}. fue {tx} {when}
    ya van {d} días del {tx} y {sym}
    Disculpe la molestia, {sym}. Me atendieron {when} para {tx}.
    no me duele nada, solo que {sym} desde el {tx}
    """)
ADVERSE_ES = lines("""
    Tengo problemas para respirar después del botox
    se me cayó el párpado después del botox
    tengo la cara hinchada desde el peeling
    no puedo tragar desde que me pusieron botox en el cuello
    me salieron ampollas después del láser
    mi mamá se puso botox y ahora tiene el ojo caído
    mi hermana se hizo un peeling y tiene la cara roja y pelada, ¿eso es normal?
    a mi esposo le pusieron relleno y tiene la nariz morada
    mi hija se hizo los labios ayer y tiene el labio blanco
    mi mamá no puede cerrar el ojo desde el botox, tiene 70 años
    a mi tía le salieron ronchas después del facial
    mi amiga se hizo kybella y dice que no puede tragar bien
    mi esposa tiene la ceja caída desde el martes, se puso dysport
    a mi suegra se le hinchó toda la cara después del relleno
    mi hermana tiene fiebre y la mejilla roja y caliente, se puso filler hace una semana
    mi novio tiene la sonrisa chueca desde el botox en la mandíbula
    le hablo por mi abuelita, se hizo el láser y tiene ampollas en las mejillas
    se me puso el labio gris despues del relleno, no me duele pero se ve raro
    tengo el ojo caido y no puedo levantar la ceja, me puse botox el lunes
    me siento la garganta rara y la cara hinchada despues del peeling
    no puedo tomar agua con popote desde el lip flip
    se me ve la boca chueca cuando sonrío, fue el botox?
    tengo puntos negros en la nariz desde el filler, que hago
    mi cara se ve como manchada morada, me puse relleno ayer
    despues del microneedling me salieron granos con pus en toda la cara
    tengo la voz ronca desde el botox del cuello y me cuesta tragar
    hola buenas noches, tengo una bolita dura en el labio que me duele
    me arde la cara como quemada desde el láser y tiene ampollitas
    siento el párpado pesado y el rímel se me embarra en el párpado
    amaneci con el ojo hinchado, me puse relleno en las ojeras
    oiga, tengo la cara dormida de un lado desde el tratamiento
    se me puso la piel blanca y luego oscura donde me inyectaron
    tengo la frente chueca, un lado se mueve y el otro no
    no tengo fiebre ni nada, solo el labio se ve morado
    disculpe, mi mamá no habla inglés, le salió urticaria después del facial y tiene comezón
    me hice el IPL y tengo quemaduras en el brazo
    tengo la piel bien roja y se está extendiendo, me hice el peel el viernes
    mi ojo se ve mas chiquito que el otro desde el dysport
    me duele como si me hubiera pegado un ladrillo, el relleno fue ayer
    siento el cuello débil y no puedo levantar la cabeza de la almohada
    me dio mucho mareo y me desmayé en la casa después del botox
    me siento débil y con el pecho apretado desde la inyección
    tengo costras amarillas y huele feo, fue el láser de CO2
    my lips are super hinchados and they hurt, me hice filler ayer
    se me cayó la ceja y ahora me veo enojada lol pero me preocupa
    tengo el cachete frío y gris desde esta mañana
    la parte donde me inyectaron está caliente, roja y me duele mucho
    se me está hinchando la cara cada hora más
    no es nada grave creo pero el párpado se me cae un poquito
    """)

# Long, rambling messages (one per string), with the route they belong to.
LONG = [
    ("en", "adverse", None,
     "Hi, so I'm not sure who to talk to, I came in on Saturday for my usual Botox with Jenna, which has always "
     "been fine, I've been coming for like three years, but this time my left eyebrow is sitting way lower and my "
     "eyelid kind of covers my eye when I'm tired, and I have a presentation Thursday, so can someone call me?"),
    ("en", "adverse", None,
     "Okay so long story, I got lip filler for my birthday last week, loved it at first, then yesterday I noticed a "
     "little hard spot on the upper lip, and today it's red around it and kind of warm, I've been icing it, no fever "
     "that I know of, just wanted to check in because my friend said to text you"),
    ("en", "adverse", None,
     "Calling on behalf of my mother, she's 71, she had the IPL on her hands and face on Tuesday with you, and she's "
     "got these big blisters now on the back of her hand, and she doesn't want to bother anyone, but I think "
     "somebody should look at it"),
    ("en", "adverse", None,
     "Hello, this is kind of embarrassing, I did the Kybella two weeks ago and I've been eating soft food because "
     "it's hard to swallow, I thought it would go away, it's a little better but not much, my husband told me to "
     "call"),
    ("en", "adverse", None,
     "hey so i wasnt going to say anything bc i figured its normal but my face has been itchy and blotchy since the "
     "hydrafacial on friday and now there are little bumps on my neck too, anyway lmk"),
    ("en", "adverse", None,
     "This might be a dumb question and I'm sure it's fine, I'm not in pain, but since the filler on Monday the "
     "skin next to my nose has a kind of lacy purple look and it's a little cooler than the other side"),
    ("es", "adverse", None,
     "Hola buenas tardes, mire, le hablo porque me hice el botox el jueves con la enfermera Rosa, siempre me lo hago "
     "con ella, pero ahora tengo el ojo izquierdo más caído y me pesa mucho, mi esposo dice que llame, ¿me pueden "
     "regresar la llamada?"),
    ("es", "adverse", None,
     "oiga disculpe, mi hija se hizo los labios el sábado y ahorita tiene una ampolla y la orilla del labio se ve "
     "como oscura, ella dice que no es nada pero yo la veo mal"),
    ("en", "benign_alarming", "booking",
     "Hi! So I have been dying to try the HydraFacial forever, my sister goes to you and her skin is unreal, I'm "
     "finally doing it, can I get something Saturday morning at Silver Lake? My schedule is a nightmare otherwise"),
    ("en", "benign_alarming", "event_follow_up",
     "ok this week is killing me, work is insane and my kid's birthday is Saturday, but I refuse to miss the VIP "
     "night, does it still start at 6 and can I bring my mom?"),
    ("en", "benign_alarming", "member_support",
     "I'm a member and honestly burning through my credits like crazy haha, I think I did two facials and a peel "
     "this month, do I have anything left or do I have to wait for the renewal?"),
    ("en", "benign_alarming", "bundle_help",
     "so my package, I bought it last spring during the laser special, six sessions I think, and I'm pretty sure "
     "I've done four but my brain is fried, how many do I have left?"),
    ("en", "booking", None,
     "Hi, I'm calling because my coworker got Botox with you and it looks so natural, I've never done it before, "
     "I'm 34, I'd like to come in for my first appointment, I work until 5 most days so evenings or a Saturday "
     "would be ideal"),
    ("en", "clinical_question", None,
     "Hi, before I book anything, I wanted to ask, I'm currently breastfeeding my 4 month old and I'm also on a low "
     "dose of Zoloft, would either of those be a problem for Botox or a chemical peel? I'd rather ask first"),
    ("en", "staff", None,
     "Hi, I need to talk to someone about my bill, I came in on the 3rd and was told the touch-up would be free but "
     "I got charged $180, and I also never got the receipt email, can a manager call me?"),
    ("en", "rebooking", None,
     "Got your text about being due, yes, thank you for the reminder, I'd totally lost track, I want the same thing "
     "as last time, the forehead and the 11s, ideally with Dr. Patel, and any Tuesday or Thursday after 3 works"),
    ("en", "member", None,
     "Quick question about my membership, I signed up in March, is my renewal coming up, and if I want to cancel "
     "what's the notice, I'm not sure I want to but I'm moving in the fall"),
    ("en", "event", None,
     "I got the postcard for the holiday open house at the Pasadena location, my friend and I want to go, do we "
     "need to RSVP, and will there be the raffle again like last year?"),
    ("es", "booking", None,
     "Hola, buenos días, mi prima se hizo el facial con ustedes y le quedó la piel preciosa, yo nunca me he hecho "
     "nada, quisiera hacer una cita para un hidrafacial, de preferencia un sábado porque entre semana trabajo"),
    ("es", "clinical_question", None,
     "Buenas tardes, antes de hacer la cita quería preguntar, tengo la presión alta y tomo losartán, ¿puedo "
     "hacerme el láser o necesito permiso de mi doctor?"),
]


# --------------------------------------------------------------------------------------------------
# Provider review: possible effects asked before/without a current symptom, and clinical questions.
# --------------------------------------------------------------------------------------------------
POSSIBLE_EN = lines("""
    will I bruise after filler?
    how long does swelling usually last after lip filler?
    what are the side effects of kybella?
    can botox make your eyelid droop? I'm nervous before my first time
    what's the downtime for CO2 laser?
    is there a risk of blindness with filler? I read something scary online
    how red will I be after microneedling, I have a wedding on Saturday
    before I book, how long will I peel after a VI peel?
    do people usually get headaches after botox?
    how bad is the swelling after Morpheus8? trying to plan time off work
    will the laser hurt? and will I be red after?
    is it common to get bumps after Sculptra?
    could IPL make my dark spots darker first?
    what are the risks with under eye filler?
    Thinking about a lip flip. Is it true you can't drink from a straw for a while after?
    Is there any chance of an allergic reaction to the numbing cream?
    how long till the bruising goes away usually, for planning, I haven't had it yet
    do chemical peels make you break out after?
    if I get tox for my masseters will chewing feel different?
    Can Kybella make it hard to swallow? Asking before my consult
    what's the worst side effect you've seen with dermal fillers
    does microneedling cause scarring ever?
    How many days of downtime after the vampire facial
    is it normal to feel lumps after filler? I'm booked next week and want to know what to expect
    will my face be swollen for my event if I get filler 5 days before?
    what side effects should I watch for after botox
    How soon after laser hair removal can I go in the sun, and can it burn?
    Can a HydraFacial cause a breakout the next day?
    do cold sores flare up after lip filler? I get them sometimes
    what does vascular occlusion look like, just so I know
    any chance botox spreads and affects my breathing? I have anxiety about it
    what's recovery like for RF microneedling
    Will I peel after a HydraFacial or is that just peels
    does BBL make you red for a long time
    can the numbing make my lips feel weird for the day
    how long does it take for botox to kick in and how long till it wears off
    if I get my brows done with tox could they end up too low?
    Are there any long-term risks with getting filler every year?
    what happens if filler migrates
    what's the chance of hyperpigmentation with the laser on darker skin?
    """)
CLINICAL_EN = lines("""
    I'm pregnant, can I still get botox?
    I'm breastfeeding, is a chemical peel ok?
    I'm on Accutane, can I do microneedling?
    how many units do I need for crow's feet?
    is Dysport or Xeomin better for me?
    I take Eliquis, can I get filler?
    I have lupus, is it safe to get laser?
    I get cold sores, should I take valtrex before lip filler?
    can I work out after botox?
    can I have wine the night before my filler?
    is it ok to do botox and filler the same day?
    I have a dental cleaning next week, should I wait to get filler?
    I'm allergic to lidocaine, can I still get filler?
    I have a pacemaker, can I do Morpheus8?
    my derm has me on tretinoin, when should I stop before the peel?
    what treatment plan would you recommend for my melasma?
    should I do IPL or BBL for sun spots?
    how often should I get tox to keep it looking natural?
    I'm 19, am I old enough for lip filler?
    I have keloids, is microneedling ok for me?
    We're trying to get pregnant, should I skip my botox this round?
    I just finished chemo last year, am I a candidate for PRP?
    can I get botox if I'm on antibiotics right now?
    I'm diabetic, is there anything I should know before microneedling?
    how much filler do I need for my jawline, one syringe or two?
    is Kybella or Sculptra better for a double chin?
    I had a facelift 6 months ago, can I get filler yet?
    I'm on Ozempic, does that change how filler looks?
    can I take ibuprofen before my injections?
    I have rosacea, which facial is safe for me?
    I'm 7 weeks postpartum and nursing, when can I get tox again?
    my last provider used 40 units of Dysport, what's that in Botox units?
    I have an autoimmune condition, can I get the laser treatment?
    Do I need to stop fish oil before filler?
    Is Daxxify right for someone who metabolizes botox really fast?
    can I fly the day after my filler appointment?
    I had a reaction to a hair dye once, should I be worried about any of your products?
    Would you recommend filler or Sculptra for my temples?
    I have Bell's palsy history on my left side, can I still get botox?
    I'm on blood pressure meds, is laser safe?
    Is it ok to get a spray tan after the IPL?
    I use retinol every night, do I need to stop before dermaplaning?
    can I get botox the same week as my covid booster?
    my doctor says I have thyroid eye disease, is under eye filler ok?
    should I get the lip flip or actual lip filler for a thin top lip?
    I'm 62 with pretty deep lines, would botox even do anything or do I need laser?
    is the PRP made from my own blood safe if I have anemia?
    what's the plan if the first round of laser doesn't clear my spots?
    I take Accutane still for 2 more months, can I do a hydrafacial?
    How many sessions of microneedling do I need for acne scars?
    I have a filler appointment Friday but I just started amoxicillin, should I still come?
    Can I do my botox while I'm doing IVF?
    """)
POSSIBLE_ES = lines("""
    ¿me van a salir moretones con el relleno?
    cuánto dura la hinchazón después del relleno de labios normalmente?
    qué efectos secundarios tiene el botox?
    el láser deja manchas? tengo la piel morena
    ¿cuántos días de recuperación son con el CO2?
    es cierto que el botox puede hacer que se caiga el párpado? es mi primera vez
    después del peeling me voy a pelar mucho? tengo una boda
    el microneedling deja cicatrices?
    ¿el kybella puede causar problemas para tragar? antes de hacer mi cita quiero saber
    me va a doler el láser? y voy a quedar roja?
    hay riesgo de alergia con la crema para adormecer?
    cuanto tarda en hacer efecto el botox y cuanto dura
    what are the riesgos del filler en las ojeras?
    se pueden salir bolitas con el sculptra?
    antes de hacer cita, ¿cuánto tiempo queda roja la piel después del microneedling?
    el hidrafacial hace que salgan granitos después?
    es normal que salgan moretones con el botox? todavía no me lo hago
    ¿el relleno se puede mover de lugar con el tiempo?
    cuánto tiempo se pela la piel con el peeling químico? es para planear
    qué pasa si el relleno tapa una vena? lo leí en internet y me dio miedo
    con el IPL se oscurecen primero las manchas?
    el Morpheus8 deja la cara hinchada muchos días?
    me va a quedar dormido el labio con la anestesia? es mi primera vez
    la depilación láser puede quemar la piel morena?
    """)
CLINICAL_ES = lines("""
    estoy embarazada, me puedo poner botox?
    estoy dando pecho, puedo hacerme un peeling?
    tomo anticoagulantes, puedo ponerme relleno?
    cuántas unidades necesito para las patas de gallo?
    ¿qué es mejor para mí, dysport o botox?
    tengo diabetes, puedo hacerme el microneedling?
    me dan fuegos en la boca, tengo que tomar algo antes del relleno de labios?
    puedo hacer ejercicio después del botox?
    tengo 18 años, me puedo poner labios?
    soy alérgica a la lidocaína, me pueden poner relleno?
    uso tretinoína, cuándo la dejo antes del peeling?
    qué tratamiento me recomiendan para el paño (melasma)?
    estoy tomando antibióticos, puedo ir a mi cita de botox?
    tengo lupus, es seguro el láser para mí?
    puedo tomar ibuprofeno antes de las inyecciones?
    estoy tratando de embarazarme, me pongo el botox o mejor no?
    cuántas sesiones de láser necesito para las manchas?
    tengo rosácea, qué facial me sirve?
    mi doctor me dio accutane, puedo hacerme el hidrafacial?
    puedo tomar una copa de vino antes del relleno?
    tengo marcapasos, puedo hacerme el Morpheus8?
    is it ok si me hago botox y filler el mismo día?
    """)

# --------------------------------------------------------------------------------------------------
# Front-desk routes. Whole messages first, then frames filled with a service / day / time.
# --------------------------------------------------------------------------------------------------
BOOKING_EN = lines("""
    I'd like to book a HydraFacial for Saturday morning
    can I get an appointment for lip filler next week?
    do you have anything open tomorrow for botox
    want to schedule a consult for Morpheus8
    book me for laser hair removal pls, underarms
    Hi! First time here, I want to try the VI peel. What days do you have?
    Hello, I'm calling to set up my first Botox appointment, afternoons work best for me.
    looking to book microneedling, any openings after work?
    my friend referred me, I want to book a lip flip
    I want to come in for a chemical peel before my vacation, how soon can I get in?
    Can I book an IPL photofacial at the Pasadena location?
    Yes I'd like to schedule a dermaplaning facial for my birthday, the 22nd
    Hi, can I make an appointment with Dr. Patel for cheek filler?
    I'm ready to book the CO2 consult we talked about on the phone
    need a brow botox appt before my sister's wedding on the 30th
    I want to book Kybella, is there a consult first? happy to come Thursday
    Can you fit me in for a HydraFacial during my lunch break Wednesday?
    I'd love to book a PRP facial, my schedule is open Fridays
    hi do u guys take new patients for filler? id like to come in
    i wanna get my lips done, when can i come in
    Hi, I saw your reviews, I'd like to book tear trough filler with Nurse Kim
    Good morning, calling to book laser hair removal for my legs. Mornings please.
    Book me for whatever facial you have open Saturday, I need a treat
    I'm interested in Sculptra and want to set up a consultation
    Do you have a spot for BBL next Tuesday evening?
    I'd like to schedule microneedling with PRP for next month
    Hey I want Botox for my forehead and crow's feet, earliest appt please
    Can my mom and I book facials together on Sunday?
    Trying to book a jawline filler consult at Scottsdale
    I want to start laser hair removal, can I book the first session?
    """)
BOOKING_FRAMES_EN = lines("""
    Hi, can I book {svc} for {day} {time}?
    looking to get {svc}, do u have anything {day}
    I'd like to schedule {svc} at {loc} please
    Hello, I'm calling to make an appointment for {svc}. {day_cap} {time} if possible.
    can i come in {day} for {svc}?
    Is {prov} available {day} for {svc}? I'd like to book
    new patient here, want to book {svc}
    Could you put me down for {svc} {day}? Anytime {time} works
    wanting {svc} before a trip, {day} or soon after?
    Hey! Booking {svc} for me and my sister, {day} {time} if you have it
    """)
REBOOKING_EN = lines("""
    yes next tues pm
    I'm due for botox again, can I come in
    got your text, yes please book me same as last time
    can we do the same time as last time with Jenna
    yes! thursday after 4?
    reschedule me to next week please
    it's been 4 months lol, time for my refresh
    ready for my next laser session
    can I move my appointment from Friday to Monday?
    Yes please! Same provider, same treatment, any Saturday
    Oh perfect timing, my forehead lines are back. When can I come?
    hi thanks for the reminder, I'd like to book my next HydraFacial
    yeah I've been meaning to come back, does the 12th work?
    Yes I want to keep my every 3 months schedule, book me in
    sorry I fell off, I'd like to get back on track with my tox
    Y
    yes pls
    I can come back next week for my second peel
    Can I push my appt to the afternoon? something came up
    thanks for checking in! I'm overdue, let's get me in
    My last filler was in March, I'd like to get touched up
    count me in for another round, same as before
    I'm due for microneedling #3, mornings are best
    need to reschedule tomorrow's appointment to next Thursday
    hey, it's been 6 months since my lips, time for a top up
    ok let's do it, next available with Amber
    I'd like to come back for my 2nd laser hair removal session
    yes, I'm ready for my next round, can I do a Saturday?
    Can I switch my Wednesday to Thursday at the same time?
    Got the reminder. Yes to coming back, but make it the Tempe location this time please
    """)
REBOOKING_FRAMES_EN = lines("""
    yes {day} {time}
    I'm due for {svc} again, can I come in {day}?
    got your reminder, book me for {svc} {day} please
    It's time for my {svc0} again. {day_cap} {time}?
    can you move my {svc0} to {day} {time}
    hi it's {name}, I'd like to come back for {svc}, same as last time
    Yes please, {day} with {prov} if she's in
    ready to rebook {svc}, whenever {prov} is free {day}
    """)
EVENT_EN = lines("""
    is the VIP night still on Thursday?
    what's included in the open house?
    can I bring a friend to the injectable day?
    how do I RSVP for the holiday open house
    what's the deadline for the laser special
    do I need a deposit to hold the event price?
    is there parking for the open house
    what time does the VIP night start?
    does the fall skin special include the peel or just facials?
    Saw your VIP night on Instagram, what's it about?
    Hi, I got your flyer about the injectable day, is it for new patients too?
    Is the open house free? Can I just show up?
    do I have to buy something to go to the Galentine's night
    Can I RSVP for two for the VIP night?
    Deadline is Friday to get the VIP price?
    I missed the Botox bash, are you doing another one?
    How long does the open house last, I get off at 6
    Is the laser special only at the Scottsdale location?
    will there be demos at the open house?
    Do you need to RSVP for the filler happy hour or is it walk in?
    Is the Mother's Day event for moms only or can daughters come?
    What are the hours of the summer glow special event?
    Heard about your injectable day from a friend, how does it work?
    Hola, is the event in English or Spanish? My mom wants to come
    can my husband come to the VIP night with me?
    does the event price apply if I book after the event?
    is there a waitlist for the VIP night if it's full?
    """)
EVENT_FRAMES_EN = lines("""
    is the {ev} still happening {day}?
    what's included in the {ev}?
    can I bring a guest to the {ev}
    how do I RSVP for the {ev}
    when is the deadline for the {ev} pricing?
    saw the {ev} on Facebook, what is it exactly?
    Hi, calling about the {ev}. What time does it start and is it at {loc}?
    does the {ev} need a deposit?
    """)
MEMBER_EN = lines("""
    how many credits do I have left?
    when does my membership renew?
    does my membership cover dermaplaning?
    can I use my monthly credit on a lip flip?
    do my credits roll over?
    how much notice do I need to cancel my membership?
    can I pause my membership for the summer?
    does my member discount apply to skincare products?
    I want to upgrade my membership tier
    can I share my membership perks with my sister?
    What's my renewal date? I want to make sure I use everything first
    Am I still a member? I can't remember if I renewed
    Do member credits expire at the end of the year?
    Is the free facial each month part of the Glow membership or the Platinum one?
    I'm a member, do I get early access to the VIP night?
    what's the cancellation window for the membership, 30 days?
    does my membership include a birthday perk?
    Can I use my member credit at the Chandler location too?
    how do I check my credit balance?
    I'm thinking of switching from the monthly to annual membership, what are the benefits?
    Is botox one of the member benefits or just facials?
    my membership says 2 credits, can I use both on one visit?
    when do my new credits load each month?
    Can I add my husband to my membership?
    """)
MEMBER_FRAMES_EN = lines("""
    Hi, I'm a member, can I use my credits for {svc}?
    do I have any credits left for {svc} this month
    does the membership cover {svc}?
    This is {name}, when does my membership renew and how many credits are left?
    is {svc} included in my membership?
    """)
BUNDLE_EN = lines("""
    how many sessions do I have left in my laser package?
    I bought 6 microneedling sessions, how many have I used?
    what's my package balance
    when does my bundle expire?
    can I use my remaining IPL sessions at Tempe?
    do I still have a hydrafacial left from the package
    How many laser hair removal treatments are left on my series?
    I prepaid for 3 peels, have I used 2 or 3?
    My package of 4 Morpheus sessions, do I have one more?
    Can my leftover package sessions be used with a different provider?
    how many units of botox are left on my prepaid bundle?
    Checking my package: how many sessions remain and when do they expire?
    I think I have one session left from the summer bundle, can you confirm?
    does my facial package have anything left on it
    I lost track of my bundle, can someone tell me what's left?
    Do unused sessions in my package roll over?
    """)
BUNDLE_FRAMES_EN = lines("""
    how many {svc0} sessions are left in my package?
    Hi it's {name}, checking my bundle balance for {svc0}
    can I use my {svc0} package sessions at {loc}?
    when do my prepaid {svc0} sessions expire?
    """)
STAFF_EN = lines("""
    how much exactly is botox per unit?
    what's the price for two syringes of filler
    can you waive the no-show fee? my kid was sick
    I want a refund for the package I didn't use
    the front desk was really rude to me yesterday
    I was charged twice for my last visit
    please cancel my appointment tomorrow
    cancel my appt on the 14th, thanks
    Can I get the event price even though I missed the deadline?
    I'd like to speak to a manager about my bill
    can I pay for my package with a payment plan? I know you don't usually
    What's the exact total for lips and Botox together?
    I need an itemized receipt for my HSA
    Is there a discount for nurses? Can you make an exception
    my card was charged the deposit but I never booked
    I'm unhappy with how long I waited, 45 minutes past my appointment
    Can I transfer my package to my friend? I moved away
    I want my deposit back, I had to cancel
    How much is the CO2 laser, exact price please, not a range
    Can you price match the place down the street?
    please cancel everything I have scheduled, I'm moving
    I was quoted $450 but charged $600, what happened?
    I need to cancel my Saturday appointment, I won't be able to make it
    can I get a refund on the unused units?
    Your text said 20% off but the bill didn't show it
    My credit card info changed, can someone call me to update it
    """)
UNCLEAR_EN = lines("""
    ?
    ok
    who is this
    wrong number
    hello??
    call me back please
    I have a question
    k
    test
    sorry meant to text my sister
    what
    Hi
    is this the place with the thing
    can someone call me
    um hi, yeah, I was calling about, um, I'll call back
    I got a missed call from this number
    ???
    thx
    """)

BOOKING_ES = lines("""
    quiero hacer una cita para botox
    ¿tienen espacio el sábado para un facial?
    me gustaría agendar relleno de labios
    hola, quisiera una cita para depilación láser en las axilas
    puedo hacer cita para microneedling la próxima semana?
    soy nueva, quiero probar el hidrafacial, ¿qué días tienen?
    Buenas tardes, le llamo para sacar una cita para un peeling químico
    quiero una consulta para el Morpheus8
    me pueden agendar con la doctora Alvarez para relleno en los cachetes?
    quiero cita para botox en la frente, de preferencia en la tarde
    hola! quiero hacerme los labios, cuándo puedo ir?
    se puede hacer cita para mi mamá y para mí el domingo para un facial?
    quiero apartar una cita para el IPL en Phoenix
    hi, quiero book una cita para laser hair removal
    me interesa el kybella, quiero agendar la consulta
    """)
BOOKING_FRAMES_ES = lines("""
    hola, ¿puedo hacer cita para {svc} el {day}?
    quiero agendar {svc}, tienen algo {day}?
    Buenos días, quisiera una cita para {svc}, {day} en la {time}
    me pueden dar cita para {svc} en {loc}?
    """)
SVC_ES = ["botox", "relleno de labios", "un facial", "un hidrafacial", "microneedling", "un peeling",
          "depilación láser", "IPL", "relleno en los cachetes", "Morpheus8", "dysport", "un lip flip"]
DAY_ES = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "15", "próximo martes"]
TIME_ES = ["mañana", "tarde", "mañanita", "tarde después de las 5"]
REBOOKING_ES = lines("""
    sí, el martes en la tarde
    ya me toca mi botox otra vez, ¿puedo ir?
    recibí su mensaje, sí quiero regresar, mismo horario que la vez pasada
    sí por favor, con Jenna otra vez
    ya pasaron 4 meses, me toca el retoque
    estoy lista para mi siguiente sesión de láser
    puedo cambiar mi cita del viernes al lunes?
    gracias por el recordatorio, quiero agendar mi próximo facial
    sí! el jueves después de las 4?
    necesito mover mi cita de mañana para la próxima semana
    ya me toca el relleno de labios otra vez, cuando tienen espacio?
    si porfa, agéndame igual que la otra vez
    quiero regresar para mi segunda sesión de depilación
    sí, quiero seguir cada 3 meses con mi botox
    ok, me anotas para el sábado en la mañana con Amber
    yes, quiero volver para mi microneedling, el tercero
    """)
REBOOKING_FRAMES_ES = lines("""
    sí, el {day} en la {time}
    ya me toca {svc} otra vez, tienen el {day}?
    ¿me pueden cambiar la cita de {svc} para el {day}?
    """)
EVENT_ES = lines("""
    ¿todavía va a ser la noche VIP el jueves?
    ¿qué incluye la casa abierta?
    puedo llevar a una amiga al día de inyectables?
    cómo confirmo mi lugar para el open house?
    ¿hasta cuándo es la promoción del láser?
    hay que dejar depósito para apartar el precio del evento?
    a qué hora empieza la noche VIP?
    vi lo del evento en Facebook, de qué se trata?
    el evento es en español también? mi mamá quiere ir
    es gratis la casa abierta? o hay que comprar algo?
    puedo llevar a mi esposo al evento VIP?
    el precio del evento aplica si hago la cita después?
    hola, me llegó el volante del injectable day, es para clientes nuevos también?
    la promo de verano incluye el peeling o solo faciales?
    """)
MEMBER_ES = lines("""
    ¿cuántos créditos me quedan?
    ¿cuándo se renueva mi membresía?
    la membresía cubre el dermaplaning?
    puedo usar mi crédito del mes en un lip flip?
    ¿los créditos se acumulan al siguiente mes?
    con cuánto tiempo tengo que avisar para cancelar la membresía?
    puedo pausar mi membresía en el verano?
    el descuento de miembro aplica a los productos?
    quiero subir de nivel mi membresía
    soy miembro, ¿puedo usar mis créditos en la sucursal de Chandler?
    cuando se cargan mis créditos nuevos?
    puedo agregar a mi esposo a mi membresía?
    se me vencen los créditos al final del año?
    """)
BUNDLE_ES = lines("""
    ¿cuántas sesiones me quedan en mi paquete de láser?
    compré 6 sesiones de microneedling, cuántas he usado?
    cuál es el saldo de mi paquete?
    cuándo se vence mi paquete?
    puedo usar las sesiones que me quedan de IPL en Tempe?
    todavía me queda un hidrafacial del paquete?
    pagué 3 peelings por adelantado, ya usé 2 o 3?
    cuántas unidades de botox me quedan en el paquete prepagado?
    se pasan las sesiones que no usé del paquete?
    creo que me queda una sesión del paquete de verano, me confirman?
    """)
STAFF_ES = lines("""
    ¿cuánto cuesta exactamente la unidad de botox?
    cuál es el precio de dos jeringas de relleno?
    me pueden quitar el cargo por no presentarme? mi hijo se enfermó
    quiero un reembolso del paquete que no usé
    la recepcionista fue muy grosera conmigo ayer
    me cobraron dos veces mi última visita
    por favor cancelen mi cita de mañana
    cancela mi cita del 14 porfa
    me pueden dar el precio del evento aunque ya pasó la fecha?
    quiero hablar con el gerente sobre mi cuenta
    quiero que me devuelvan el depósito, tuve que cancelar
    me dijeron $450 y me cobraron $600, qué pasó?
    necesito cancelar mi cita del sábado
    cuánto es el láser de CO2, el precio exacto por favor
    aceptan pagos a plazos? sé que normalmente no
    """)
UNCLEAR_ES = lines("""
    quién es?
    número equivocado
    bueno?
    me pueden llamar por favor
    tengo una pregunta
    perdón, era para mi hermana
    qué?
    me marcaron de este número
    hola
    """)

EVENTS_ES = ["la noche VIP", "la casa abierta", "el día de inyectables", "la promoción de láser",
             "la promo de verano", "el evento del Día de las Madres", "el open house"]
EVENT_FRAMES_ES = lines("""
    ¿qué incluye {ev}?
    ¿hasta cuándo es {ev}?
    puedo llevar a alguien a {ev}?
    """)
MEMBER_FRAMES_ES = lines("""
    soy miembro, puedo usar mis créditos en {svc}?
    la membresía incluye {svc}?
    """)
BUNDLE_FRAMES_ES = lines("""
    cuántas sesiones de {svc} me quedan en el paquete?
    """)
STAFF_FRAMES_EN = lines("""
    what's the exact price for {svc}?
    can you do {svc} cheaper if I pay cash?
    I need to cancel my {svc0} on {day}
    can I get a refund on the {svc0} I paid for?
    I was overcharged for {svc}, who can fix that?
    """)
EFFECTS_EN = ["bruising", "swelling", "redness", "peeling", "headaches", "lumps", "tenderness", "pinpoint bleeding",
              "itching", "a breakout", "dryness", "numbness"]
POSSIBLE_FRAMES_EN = lines("""
    how long do people usually have {eff} after {tx}?
    is {eff} common after {tx}? thinking about booking
    will I get {eff} from {tx}? want to know before I commit
    what should I expect after {tx}, like {eff}?
    """)

# --------------------------------------------------------------------------------------------------
# Benign messages with alarming words, labelled by what they are really about. Leads are joined to a
# request for their route; "leads_any" fit any route.
# --------------------------------------------------------------------------------------------------
LEADS_ANY_EN = lines("""
    can't wait!
    omg dying to come in lol.
    that promo is killing me 😩
    your before and afters are breathtaking.
    I'm numb to ads but yours got me.
    my feed is on fire with your posts.
    I'd kill for glass skin.
    my bank account is bleeding lol but
    ok I'm obsessed.
    I'm dead 😂
    my heart skipped a beat when I saw your post.
    I'm drowning in work this week but
    this week has been a nightmare,
    your staff is to die for.
    it's been a headache finding a time,
    I almost fainted when I saw the promo lol.
    burning the candle at both ends lately so
    brutal week, anyway
    I'm itching to come back.
    been swamped, sorry for the slow reply!
    my husband says I'm addicted lol.
    literally shaking with excitement.
    you guys are a lifesaver.
    that last facial was fire 🔥
    I'm allergic to mornings so
    lowkey losing my mind trying to plan this,
    this heat is killing me,
    my wallet is crying but whatever.
    my schedule is a train wreck but
    ugh my phone died earlier, sorry.
    """)
LEADS_ROUTE_EN = {
    "booking": lines("""
        dying to finally try it!
        been dying to treat myself,
        I'm itching to try something new,
        my friend's results took my breath away,
        I'd sell a kidney for skin like my sister's lol,
        """),
    "event_follow_up": lines("""
        I'm weak for a good deal,
        FOMO is killing me,
        deadline is Friday right?
        your VIP night flyer is fire,
        that open house promo blew my mind,
        """),
    "member_support": lines("""
        I'm burning through my credits lol,
        my membership is the only thing keeping me alive this year haha,
        I'm bleeding credits lol,
        """),
    "bundle_help": lines("""
        burned through half my package already lol,
        I'm losing track, my brain is fried,
        """),
    "staff_review": lines("""
        that price gave me a heart attack,
        sticker shock nearly killed me,
        I'm hurting for money this month,
        """),
    "rebooking": lines("""
        my 11s are back with a vengeance lol,
        it's been forever and I'm suffering without my facials lol,
        I'm going through withdrawal haha,
        """),
}
BENIGN_EN = [  # (text, route) written whole
    ("I'm weak for a good deal, any specials at the open house this month?", "event_follow_up"),
    ("Deadline is Friday to get the VIP price? Asking for the VIP night", "event_follow_up"),
    ("dying to try the peel, can I book one for next Friday?", "booking"),
    ("that promo is killing me, what's the exact price for 40 units?", "staff_review"),
    ("breathtaking results on your page! want to book a consult for cheek filler", "booking"),
    ("my bank account is bleeding lol, how many credits do I have left?", "member_support"),
    ("I'm burning through my credits, when do they renew?", "member_support"),
    ("can't wait for the injectable day!! what's included?", "event_follow_up"),
    ("I'm numb to ads but your laser special got me, is there a deadline?", "event_follow_up"),
    ("my feed is on fire with your VIP night, can I bring my cousin?", "event_follow_up"),
    ("I'm dying to try Botox but I'm breastfeeding, is that ok?", "provider_review"),
    ("can't wait to get lips done, but I'm on blood thinners, is it safe?", "provider_review"),
    ("been dying to try microneedling, does it hurt a lot and will I be red for days?", "provider_review"),
    ("I'd kill for smooth skin, should I do IPL or a peel for my sun spots?", "provider_review"),
    ("killer deal on the package, how many sessions are left on mine though?", "bundle_help"),
    ("my brain is fried, how many laser sessions do I have left in my bundle?", "bundle_help"),
    ("this is an emergency lol, I need a facial before Saturday, any openings?", "booking"),
    ("SOS my brows are wild lol, can I book brow tox next week?", "booking"),
    ("I'm so sick of my wrinkles, want to book botox", "booking"),
    ("I'm sick of hiding my lips, want to book lip filler", "booking"),
    ("Help! I need a hydrafacial before my wedding, can I book the 20th?", "booking"),
    ("that sale is criminal, I'm coming! what time does the open house start?", "event_follow_up"),
    ("The crowd at your open house last year was insane lol, is it on again?", "event_follow_up"),
    ("I fainted at the price lol, can you tell me the exact cost of the CO2 laser?", "staff_review"),
    ("my wallet is in the ICU, can I get a refund on my unused package?", "staff_review"),
    ("Painful week at work, please cancel my appointment Thursday", "staff_review"),
    ("I'm going crazy without my botox lol, due again, next Tuesday?", "rebooking"),
    ("my face is begging for its next peel, same time as last time?", "rebooking"),
    ("my crow's feet are back with a vengeance haha, book me in again with Tara", "rebooking"),
    ("got your reminder, I'm overdue and looking rough lol, Saturday?", "rebooking"),
    ("lol I'm a mess, I forgot to renew my membership, when does it end?", "member_support"),
    ("heart attack moment: did my membership renew already?", "member_support"),
    ("I'm hooked, can I use my member credits on dermaplaning?", "member_support"),
    ("blew through my package fast lol, anything left on it?", "bundle_help"),
    ("Blood, sweat and tears went into saving for this package lol, how many sessions remain?", "bundle_help"),
    ("the suspense is killing me, is the VIP night sold out?", "event_follow_up"),
    ("our group chat is on fire about your Galentine's night, can 4 of us RSVP?", "event_follow_up"),
    ("no pain no gain lol, book me for laser hair removal on my legs", "booking"),
    ("I'm terrified of needles lol but ready, can I book my first Botox?", "booking"),
    ("I nearly died laughing at your reel. anyway can I book a facial Sat?", "booking"),
]
LEADS_ANY_ES = lines("""
    ya no aguanto las ganas jaja,
    estoy enamorada de sus resultados,
    se me va a ir toda la quincena lol pero
    ando bien ocupada pero
    estoy muerta de ganas,
    mi cartera está llorando jaja,
    ay me muero con esos resultados,
    esa promo me está matando 😂
    me quedé sin aire con sus fotos del antes y después,
    qué padre, no puedo esperar,
    """)
LEADS_ROUTE_ES = {
    "booking": ["me muero por probar el peeling,", "me muero de ganas de hacerme los labios,"],
    "member_support": ["me estoy gastando todos mis créditos jaja,", "ya me volví adicta a la membresía,"],
    "event_follow_up": ["me quedé sin aliento con la promo,", "me mata la curiosidad,"],
    "rebooking": ["me muero de ganas de regresar,", "ya me hacen falta mis faciales, estoy sufriendo jaja,"],
    "staff_review": ["casi me da un infarto con el precio,"],
    "bundle_help": ["ya ni me acuerdo, traigo la cabeza quemada jaja,"],
}
BENIGN_ES = [
    ("me muero por probar el peeling, ¿tienen cita el viernes?", "booking"),
    ("esa promo me está matando jaja, ¿hasta cuándo es?", "event_follow_up"),
    ("me quiero morir de lo bonito que quedó mi amiga, quiero cita para botox", "booking"),
    ("estoy que me muero de ganas de ir a la noche VIP, ¿puedo llevar a mi hermana?", "event_follow_up"),
    ("me muero de ganas de ponerme botox pero estoy dando pecho, se puede?", "provider_review"),
    ("mi cuenta del banco está sangrando jaja, cuántos créditos me quedan?", "member_support"),
    ("ya me gasté todo jaja, cuántas sesiones me quedan en el paquete?", "bundle_help"),
    ("casi me desmayo con el precio, cuánto cuesta exacto el láser?", "staff_review"),
    ("ando muerta de cansancio, cancelen mi cita del jueves porfa", "staff_review"),
    ("ya me toca, ando bien arrugada jaja, el sábado?", "rebooking"),
    ("me encantó, quedé fascinada, quiero regresar para mi segundo facial", "rebooking"),
    ("I'm dying to go al open house, ¿a qué hora empieza?", "event_follow_up"),
]


# Sentences quoted word for word in issue 10 or in the brief for this corpus. The engine's authors have
# read them, so they go to dev only and never count in the held-out figures.
QUOTED = set(lines("""
    my smile is crooked since botox, one side won't move
    Had botox Monday, now my left eye feels heavy and I can't lift that eyebrow
    my voice is hoarse and I can't hold my head up well since the neck botox
    I recently had Botox in my forehead and now my eyelids hang over my eyes
    My sister just had a chemical peel and her skin went red and dry, is that part of it?
    face swelling bad after the peel and my throat feels weird
    probably nothing but my lip is kind of white
    no trouble breathing just my throat feels tight
    Tengo problemas para respirar después del botox
    se me cayó el párpado después del botox
    tengo la cara hinchada desde el peeling
    I'm weak for a good deal, any specials at the open house this month?
    Deadline is Friday to get the VIP price? Asking for the VIP night
    Deadline is Friday to get the VIP price?
    yes next tues pm
    I'm due for botox again, can I come in
    """))


# --------------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------------
CALL_CUES = ("calling", "um,", "this is", "le llamo", "buenas tardes", "buenos días", "hello,", "good morning")
SMS_CUES = ("pls", ":(", "??", "hey its", " u ", "texting", "lol", "jaja", "porfa", "😩", "😂", "🔥", "thx")


def channel_for(text, rng):
    low = f" {text.lower()} "
    if any(c in low for c in CALL_CUES):
        return "call"
    if any(c in low for c in SMS_CUES) or len(text) < 12:
        return "sms"
    return "call" if rng.random() < 0.35 else "sms"


TEXTING = [(" you ", " u "), (" your ", " ur "), (" right now", " rn"), ("I'm ", "im "), ("can't", "cant"),
           ("don't", "dont"), (" please", " pls"), ("tomorrow", "tmrw"), (" because ", " bc "),
           ("it's", "its"), (" really ", " rly "), (" okay", " ok"), ("should", "shud")]


def textify(text):
    out = f" {text} "
    for a, b in TEXTING:
        out = out.replace(a, b)
    return out.strip().lower().rstrip(".")


def strip_accents(text):
    """Texting without accents: á -> a, no ¿ ¡; ñ stays (phones keep it, and "anos" is not "años")."""
    out = []
    for ch in text:
        if ch in "ñÑ":
            out.append(ch)
        elif ch not in "¿¡":
            out.append("".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn"))
    return "".join(out)


GREETING = re.compile(r"^((hi|hello|hey|hola|buenos días|buenas)[,!]? )?((it's|this is|soy) \w+, )?", re.IGNORECASE)


def cap(s):
    return s[:1].upper() + s[1:]


def normalise(text):
    return " ".join(text.lower().split())


PAIN_DENIED = ("not in pain", "no me duele")
PAIN_WORDS = ("pain", "hurt", "sore", "throbbing", "brick", "tender", "on fire", "duele", "golpe", "arde", "quema")
BREATH_DENIED = ("no trouble breathing", "no me falta el aire")
BREATH_WORDS = ("breath", "inhaler", "chest", "throat", "respir", "aire", "pecho", "garganta")


def contradicts(frame, symptom):
    """A negated frame ("I'm not in pain really, ...") must not carry the symptom it denies."""
    return (any(d in frame for d in PAIN_DENIED) and any(w in symptom for w in PAIN_WORDS)) or (
        any(d in frame for d in BREATH_DENIED) and any(w in symptom for w in BREATH_WORDS))


class Corpus:
    def __init__(self, seed=SEED):
        self.rng = random.Random(seed)
        self.items = []
        self.seen = set()

    def add(self, text, kind, lang, template, route=None, channel=None, vary=True):
        rng = self.rng
        dev_only = text in QUOTED
        vary = vary and not dev_only
        text = " ".join(text.split())
        channel = channel or channel_for(text, rng)
        if vary and lang == "en" and channel == "sms" and rng.random() < 0.25:
            text = textify(text)
        if vary and lang == "en" and channel == "call" and rng.random() < 0.2 and not text.lower().startswith(
                ("hi", "hello", "um", "calling", "this is", "good")):
            text = f"{rng.choice(['Hi, this is', 'Hey, it is', 'Hello, my name is'])} {rng.choice(NAMES_EN)}. " + cap(
                text)
        if vary and lang == "es" and rng.random() < 0.35:
            text = strip_accents(text)
        key = normalise(text)
        if key in self.seen:
            return False
        self.seen.add(key)
        self.items.append({"text": text, "route": route or ROUTE_OF_KIND[kind], "lang": lang, "channel": channel,
                           "kind": kind, "template": template, "dev_only": dev_only})
        return True

    def hand(self, texts, kind, lang, tag):
        for i, t in enumerate(texts):
            self.add(self.fill(t, lang), kind, lang, f"hand:{tag}:{i}")

    def fill(self, template, lang, **given):
        rng = self.rng
        en = lang == "en"
        who, gender = rng.choice(PEOPLE)
        slots = {
            "tx": rng.choice(TX["any"] if en else TX_ES["any"]),
            "when": rng.choice(WHEN if en else WHEN_ES),
            "hours": rng.choice(HOURS),
            "d": str(rng.randint(2, 12)),
            "name": rng.choice(NAMES_EN if en else NAMES_ES),
            "prov": rng.choice(PROVIDERS),
            "day": rng.choice(DAYS if en else DAY_ES),
            "time": rng.choice(TIMES if en else TIME_ES),
            "loc": rng.choice(LOCATIONS),
            "svc0": rng.choice(SERVICES) if en else rng.choice(SVC_ES),
            "ev": rng.choice(EVENTS if en else EVENTS_ES),
            "eff": rng.choice(EFFECTS_EN),
            "who": who,
            "Who": cap(who),
            "pron": "she" if gender == "f" else "he",
            "Pron": "She" if gender == "f" else "He",
        }
        slots["day_cap"] = cap(slots["day"])
        svc0 = slots["svc0"]
        slots["svc"] = (("an " if svc0[0] in "AEIOU" else "a ") + svc0) if en and svc0 in COUNTABLE else svc0
        slots.update(given)
        text = template.format(**slots)
        if not en:
            text = text.replace(" a el ", " al ").replace(" de el ", " del ")
        return text

    # -- adverse -----------------------------------------------------------------------------------
    def adverse_frames(self, frames, symptoms, lang, n, third=False):
        rng = self.rng
        weights = {"tox": 30, "filler": 22, "lip": 15, "skin": 22, "kybella": 4, "prp": 3, "any": 4}
        families = list(weights)
        used = collections.Counter()
        made = 0
        order = []
        while made < n:
            if not order:
                order = frames[:]
                rng.shuffle(order)
            frame = order.pop()
            fam = rng.choices(families, [weights[f] for f in families])[0]
            sym = rng.choice(symptoms[fam])
            if used[sym] >= 3 or contradicts(frame, sym):
                continue
            if lang == "en":
                who, gender = rng.choice(PEOPLE)
                pron = PRON[gender if third else "1"]
                sym_text = sym.format(**pron)
                tx = rng.choice(TX[fam])
                text = self.fill(frame, lang, sym=sym_text, tx=tx, who=who, Who=cap(who),
                                 pron=pron["i"], Pron=pron["Subj"])
            else:
                text = self.fill(frame, lang, sym=sym, tx=rng.choice(TX_ES[fam]))
            if self.add(text, "adverse", lang, f"frame:{frame}"):
                used[sym] += 1
                made += 1

    def frames(self, frames, kind, lang, n, route=None):
        made, tries = 0, 0
        while made < n and tries < n * 20:
            tries += 1
            frame = frames[made % len(frames)] if tries % 3 else self.rng.choice(frames)
            if self.add(self.fill(frame, lang), kind, lang, f"frame:{frame}", route=route):
                made += 1

    # -- benign ------------------------------------------------------------------------------------
    def body(self, route, lang):
        pools_en = {
            "booking": BOOKING_FRAMES_EN, "rebooking": REBOOKING_FRAMES_EN, "event_follow_up": EVENT_FRAMES_EN,
            "member_support": MEMBER_FRAMES_EN, "bundle_help": BUNDLE_FRAMES_EN, "staff_review": STAFF_FRAMES_EN,
        }
        pools_es = {
            "booking": BOOKING_FRAMES_ES, "rebooking": REBOOKING_FRAMES_ES, "event_follow_up": EVENT_FRAMES_ES,
            "member_support": MEMBER_FRAMES_ES, "bundle_help": BUNDLE_FRAMES_ES,
            "staff_review": STAFF_ES,
        }
        pool = (pools_en if lang == "en" else pools_es)[route]
        return self.fill(self.rng.choice(pool), lang)

    def benign(self, lang, per_route):
        rng = self.rng
        leads_any = LEADS_ANY_EN if lang == "en" else LEADS_ANY_ES
        leads_route = LEADS_ROUTE_EN if lang == "en" else LEADS_ROUTE_ES
        for route, n in per_route.items():
            made, tries = 0, 0
            while made < n and tries < n * 20:
                tries += 1
                lead = rng.choice(leads_route[route]) if rng.random() < 0.4 else rng.choice(leads_any)
                body = GREETING.sub("", self.body(route, lang))
                if lead.endswith(("but", "so", "anyway", ",", "pero")):
                    keep = body.startswith(("I ", "I'")) or body[:2].isupper()
                    text = f"{lead} {body if keep else body[:1].lower() + body[1:]}"
                elif rng.random() < 0.3 and not lead.endswith(","):
                    text = f"{cap(body)}{'' if body[-1] in '.?!' else '.'} {lead}"
                else:
                    text = f"{lead} {cap(body)}"
                if self.add(text, "benign_alarming", lang, f"lead:{lead}", route=route):
                    made += 1


def build():
    c = Corpus()
    # Adverse events.
    c.hand(ADVERSE_EN, "adverse", "en", "adverse")
    c.adverse_frames(FRAMES_1ST, SYM_EN, "en", 250)
    c.adverse_frames(FRAMES_3RD, SYM_EN, "en", 95, third=True)
    c.hand(ADVERSE_ES, "adverse", "es", "adverse")
    c.adverse_frames(FRAMES_ES, SYM_ES, "es", 95)
    # Provider review.
    c.hand(POSSIBLE_EN, "possible_effect", "en", "possible")
    c.frames(POSSIBLE_FRAMES_EN, "possible_effect", "en", 40)
    c.hand(CLINICAL_EN, "clinical_question", "en", "clinical")
    c.hand(POSSIBLE_ES, "possible_effect", "es", "possible")
    c.hand(CLINICAL_ES, "clinical_question", "es", "clinical")
    # Front desk.
    c.hand(BOOKING_EN, "booking", "en", "booking")
    c.frames(BOOKING_FRAMES_EN, "booking", "en", 60)
    c.hand(BOOKING_ES, "booking", "es", "booking")
    c.frames(BOOKING_FRAMES_ES, "booking", "es", 14)
    c.hand(REBOOKING_EN, "rebooking", "en", "rebooking")
    c.frames(REBOOKING_FRAMES_EN, "rebooking", "en", 55)
    c.hand(REBOOKING_ES, "rebooking", "es", "rebooking")
    c.frames(REBOOKING_FRAMES_ES, "rebooking", "es", 10)
    c.hand(EVENT_EN, "event", "en", "event")
    c.frames(EVENT_FRAMES_EN, "event", "en", 50)
    c.hand(EVENT_ES, "event", "es", "event")
    c.frames(EVENT_FRAMES_ES, "event", "es", 10)
    c.hand(MEMBER_EN, "member", "en", "member")
    c.frames(MEMBER_FRAMES_EN, "member", "en", 40)
    c.hand(MEMBER_ES, "member", "es", "member")
    c.frames(MEMBER_FRAMES_ES, "member", "es", 8)
    c.hand(BUNDLE_EN, "bundle", "en", "bundle")
    c.frames(BUNDLE_FRAMES_EN, "bundle", "en", 35)
    c.hand(BUNDLE_ES, "bundle", "es", "bundle")
    c.frames(BUNDLE_FRAMES_ES, "bundle", "es", 6)
    c.hand(STAFF_EN, "staff", "en", "staff")
    c.frames(STAFF_FRAMES_EN, "staff", "en", 35)
    c.hand(STAFF_ES, "staff", "es", "staff")
    c.hand(UNCLEAR_EN, "unclear", "en", "unclear")
    c.hand(UNCLEAR_ES, "unclear", "es", "unclear")
    for i, (lang, kind, route, text) in enumerate(LONG):
        c.add(text, kind, lang, f"hand:long:{i}", route=route)
    # Alarming words, benign meaning.
    for i, (text, route) in enumerate(BENIGN_EN):
        c.add(text, "benign_alarming", "en", f"hand:benign:{i}", route=route)
    for i, (text, route) in enumerate(BENIGN_ES):
        c.add(text, "benign_alarming", "es", f"hand:benign-es:{i}", route=route)
    c.benign("en", {"booking": 35, "rebooking": 25, "event_follow_up": 35, "member_support": 30,
                    "bundle_help": 25, "staff_review": 30})
    c.benign("es", {"booking": 10, "rebooking": 8, "event_follow_up": 10, "member_support": 9,
                    "bundle_help": 6, "staff_review": 8})
    return c


def split(items, seed=SEED):
    """Assign ids, then split each (route, kind, lang) group in half at random; odd groups alternate.

    Sentences quoted in the issue or brief (QUOTED) are placed in dev and count towards its half."""
    rng = random.Random(seed + 1)
    counters = collections.Counter()
    for item in items:
        counters[(item["kind"], item["lang"])] += 1
        item["id"] = f"{item['kind']}-{item['lang']}-{counters[(item['kind'], item['lang'])]:04d}"
    groups = collections.defaultdict(list)
    for item in items:
        groups[(item["route"], item["kind"], item["lang"])].append(item)
    dev, heldout = [], []
    extra_to_dev = True
    for key in sorted(groups):
        group = groups[key][:]
        rng.shuffle(group)
        half = len(group) // 2
        if len(group) % 2:
            half += extra_to_dev
            extra_to_dev = not extra_to_dev
        group.sort(key=lambda i: not i["dev_only"])  # stable: quoted first, the rest stay shuffled
        dev += group[:half]
        heldout += group[half:]
    return sorted(dev, key=lambda i: i["id"]), sorted(heldout, key=lambda i: i["id"])


FIELDS = ("id", "text", "route", "lang", "channel", "kind")


def dumps(items):
    return "".join(json.dumps({k: i[k] for k in FIELDS}, ensure_ascii=False) + "\n" for i in items)


def stats(items):
    total = len(items)
    print(f"total {total}")
    for field in ("kind", "route", "lang", "channel"):
        print(field, dict(collections.Counter(i[field] for i in items).most_common()))
    for kind in sorted({i["kind"] for i in items}):
        sub = [i for i in items if i["kind"] == kind]
        es = sum(i["lang"] == "es" for i in sub)
        print(f"  {kind:18} {len(sub):4}  es {es / len(sub):.0%}")
    top = collections.Counter(i["template"] for i in items).most_common(5)
    print("largest templates:", [(t[:50], n, f"{n / total:.1%}") for t, n in top])
    fam = collections.Counter(i["template"].split(":")[0] for i in items)
    print("hand-written vs joined:", dict(fam))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if heldout.jsonl differs from a rebuild")
    parser.add_argument("--stats", action="store_true", help="print counts and the largest templates")
    args = parser.parse_args(argv)
    corpus = build()
    dev, heldout = split(corpus.items)
    if args.stats:
        stats(corpus.items)
    if args.check:
        current = (HERE / "heldout.jsonl").read_text(encoding="utf-8")
        if current != dumps(heldout):
            print("heldout.jsonl differs from the build: held-out is frozen", file=sys.stderr)
            return 1
        print("heldout.jsonl matches sha256", hashlib.sha256(current.encode()).hexdigest())
        return 0
    (HERE / "dev.jsonl").write_text(dumps(dev), encoding="utf-8")
    (HERE / "heldout.jsonl").write_text(dumps(heldout), encoding="utf-8")
    print(f"wrote {len(dev)} dev, {len(heldout)} held-out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
