"""Symptom understanding: concepts and their combinations, in English and Spanish.

Phrase lists only fit the sentences they were written against.  Here every word of the normalised text
(see text.py) is looked up by its surface form and its lemma (language.lemma) in small concept tables,
and safety fires on a *combination* within one clause:

- lost ability: an inability marker ("can't", "won't", "unable", "trouble", "hard to", "no puedo",
  "problemas para", "me cuesta") before a body function ("swallow", "breathe", "chew", "drink", "see",
  "talk", "smile", "respirar", "tragar"...); functions that need a body part ("move", "lift", "close",
  "open", "hold", "feel", "mover", "levantar", "cerrar") fire only with one nearby ("can't lift that
  eyebrow", "one side won't move");
- body part or function x abnormal state: "smile is crooked", "eyelids hang", "voice is hoarse", "throat
  feels weird", "párpado caído", "labio morado".  A *strong* state (droop, crooked, hoarse, numb, blurry,
  white/grey/blue/purple, cold, blister...) or an airway/vision part (throat, tongue, voice, vision) fires
  on its own; a *mild* state (red, swollen, bruised, sore, lump, dark, uneven, weak, weird...) fires when
  the message reports it after a treatment ("since botox", "I had a peel Monday", "26 hours post",
  "después del relleno") and it is not a question about what *might* happen ("will I bruise?", which is a
  provider question);
- a mild state with no body part, reported after a treatment ("swollen and bruised since the filler",
  "me arde desde el peeling").

Every match is a span of the normalised text; the engine maps it back to the exact words typed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import language
from .language import wordset

# --- concept tables (lower case, accents folded; surface forms and lemmas) ---------------------------------
AIRWAY = wordset(
    "throat tongue voice vision eyesight sight airway speech garganta lengua voz vista vision habla"
)
BODY = wordset(
    "eye eyes eyelid eyelids lid lids brow brows eyebrow eyebrows forehead smile mouth lip lips cheek cheeks "
    "nose jaw jawline chin face neck skin area spot site temple temples side arm arms leg legs hand hands "
    "finger fingers scalp undereye undereyes nostril nostrils gum gums expression head "
    "ojo ojos parpado parpados ceja cejas frente sonrisa boca labio labios mejilla mejillas cachete cachetes "
    "pomulo pomulos nariz mandibula barbilla menton cara rostro cuello piel zona lado sien brazo brazos "
    "pierna piernas mano manos dedo dedos cabeza expresion papada ojera ojeras entrecejo cuero cabelludo axila "
    "axilas bigote surco surcos encia encias saliva comisura comisuras pestanas parpados menton oido oidos "
    "oreja orejas ear ears tip eyelash eyelashes lash lashes pestana hilo hilos thread threads cheekbone cheekbones "
    "jowl jowls marionette nasolabial corner corners underarm underarms armpit armpits thigh thighs belly stomach "
    "abdomen tummy hairline pore pores trough troughs muscle muscles teeth tooth philtrum eyeball eyeballs pupil "
    "lashline quijada pestanas poro poros muslo muslos espalda nuca lagrimal pomulo barriga panza abdomen"
) | AIRWAY
# Functions that mean something is wrong when lost, on their own.
FUNCTION = wordset(
    "swallow swallowing breathe breathing breath chew chewing drink drinking talk talking speak speaking see "
    "seeing blink blinking whistle sip smile smiling frown pucker focus read swallowed breathed "
    "tragar respirar masticar beber hablar ver parpadear sonreir silbar enfocar leer tomar sorber soplar purse wink "
    "pronounce pronunciar guinar besar kiss "
    "chiflar comer"
)
# Functions that need a body part nearby ("can't move my appointment" is not a symptom).
FUNCTION_WITH_BODY = wordset(
    "move moving lift lifting raise raising close closing open opening hold holding feel feeling shut go keep stay "
    "subir arrugar apretar "
    "mover levantar cerrar abrir sostener sentir alzar fruncir pasar"
)
INABILITY = wordset(
    "can't cannot couldn't unable won't wont doesn't isn't hardly barely trouble difficulty difficult hard "
    "struggle struggling problem problems issue issues painful hurts "
    "dificultad dificil problema problemas cuesta trabajo apenas batallo batallando dificulta logro duele duelen "
    "arde"
)
STRONG = wordset(
    "droop droopy drooping drooped crooked frozen paralyzed paralysed paralysis hoarse raspy blurry blurred "
    "double numb numbness white whitish pale grey gray greyish grayish blue bluish purple purplish dusky "
    "mottled cold blister blisters pus ooze oozing hang hanging hangs hung sag sagging saggy heavy slurred "
    "caido caida caidos caidas caer cayo cayeron cae caen colgado colgada chueco chueca torcido torcida "
    "paralizado paralizada ronco "
    "ronca borroso borrosa doble entumido entumida entumecido entumecida adormecido adormecida blanco blanca "
    "negro negra negros negras palido palida gris azul azulado morado morada frio fria ampolla ampollas pesado pesada"
    " dormido dormida "
    "durmio amoratado amoratada cerrada cerrado cerrandose grisaceo grisacea nublada nublado cerrando cierra "
    "ladeada ladeado marmoleado marmoleada jaspeado jaspeada poking protruding migrated migrating migration "
    "movio sparkles sparkle spock congelado congelada congelados lazy cuelga cuelgan colgando numbish pesa pesan"
)
# Loss words that are a symptom only with a function-like part ("my smile is gone", not "my lines are gone").
LOSS = wordset("gone disappeared missing lost desaparecio perdi borro borrada borrado")
LOSS_PARTS = wordset("smile vision voice sight eyesight expression feeling sensation sonrisa vista voz")
MILD = wordset(
    "red redness swollen swell swelling swelled puffy bruise bruised bruising sore tender pain hurt hurting "
    "ache aching throb throbbing lump lumps bump bumps knot hard itchy itch itching dry peeling tight uneven "
    "asymmetric asymmetrical lopsided bigger smaller lower higher dark darker black warm hot weak sting "
    "stinging burn burning weird off funny different strange wrong rash spots crusty scab bleeding twitch "
    "twitching spasm sensitive discolored tingle tingly bubble bubbles stiff dimpled dimple bumpy raw weeping "
    "weep scabs scabbing cracking cracked blackish darker patches patch lacy pattern water waters watering "
    "dribble dribbles drool drooling leak leaks leaking fire punched balloon sad stuck lumpy knots hardened "
    "shiny crusting flaking oozy welts greenish yellowish brownish splotchy blotchy tired sunburn exhausting "
    "tiring drains pulling "
    "rojo roja rojos rojas enrojecido enrojecida hinchado hinchada hinchados hinchadas hinchar hinchazon "
    "inflamado inflamada moreton moretones dolor doler duele adolorido adolorida bolita bolitas bulto bultos "
    "bola duro dura comezon picazon pica seco seca apretado apretada desigual disparejo dispareja oscuro "
    "oscura negro negra caliente debil ardor arde arder quemar quemado quemada raro rara extrano extrana "
    "diferente sarpullido ronchas sangra sangrado costra sensible hormigueo manchas mancha chiquito chiquita "
    "grande pelar pelando aguita agua escurrir pesada costras bolitas granitos granos tieso tiesa rigido "
    "amarillo amarilla verde verdoso sangre sangrando punzada punzadas palpita salpullido roncha irritada "
    "irritado irritacion molestia molesta asimetrica asimetrico levantada levantado hundido hundida abultado "
    "abultada inflamacion enrojecimiento ardiendo quema pican hinchados hinchadas hinche hinchen arriba abajo "
    "lloran lloroso llorosos lagrimeo lagrimean hormigas calor despelleja despellejando despellejada "
    "hundimiento herida heridas llaga llagas inflamar inflamo zumba zumbido ringing wound wounds watery tearing "
    "indent indentation dent sunken bloodshot pulled pulling ants crawling crawly chills irritated irritation "
    "inflamed inflammation falls falling drips dripping heal healing puffed puff low stripes stripe marks "
    "sores holes pits pitted pitting texture ridge shelf cord tapa tapando bajo bajado bajada salen saliendo "
    "rayas raya cafe cafes cuadros hoyos hoyo hoyuelos cordon cordones marcas dimpling bumpy pebbly wavy ripply "
    "rippled indented flaky scaly bloody bled bleeds crust crusted gritty sandy shooting pulsing pounding wonky "
    "slanted tilted twisted skewed arched peaked scar scars scarring breakout breakouts alta alto altas altos "
    "jala jalan jalando jalada jalado tirante tirantez escurre escurriendo chorrea moretes morete cardenal "
    "verdugon bolas grumo grumos chipote chipotes cicatriz cicatrices descarapelando lagrimea brinca brincando "
    "tiembla temblando flat plano plana hueco huecos chico chica pequeno pequena granote granotes reseco reseca "
    "resecos resecas partido partida partidos partidas agrietado agrietados agrietada cuarteado piedra piedras "
    "sick unwell nauseous nausea nauseas"
)
# A lump or swelling that is also painful, hard, hot or red is reported as a symptom even with no treatment
# named ("a lump in my lip that's sore", "tengo una bolita dura en el labio que me duele").
LUMP = wordset(
    "lump lumps bump bumps knot knots nodule swollen swelling puffy bolita bolitas bulto bultos bola nodulo "
    "hinchado hinchada hinchados hinchadas hinchazon inflamado inflamada cord cordon cordones ridge nodules "
    "nodulos"
)
OWN = wordset("tengo tiene tienen i've have has got salio salieron hizo")
LUMP_VERB_LIKE = wordset("swollen hinchado hinchada hinchados hinchadas inflamado inflamada inflamados inflamadas")
FEEL = wordset("siento siente sentir feels feel feeling felt")
LIMBS = wordset(
    "arm arms leg legs hand hands finger fingers thigh thighs belly stomach brazo brazos pierna piernas mano manos "
    "dedo dedos muslo muslos espalda barriga panza")
# What a treatment leaves in the skin, and the verbs that describe it now.
ARTIFACT = wordset("filler fillers product relleno producto thread threads hilo hilos")
MOVES = wordset("move moves moving moved shift shifts shifted shifting migrate migrates mueve mueven moviendo recorre")
LINK = wordset("feels feel is are looks look got went feeling looking se siente ve esta estan puso quedo moved movio")
# Strict lumps (and bruises): reported on a body part as one's own ("tengo un bulto en el cachete"), they are a symptom.
HARD_LUMP = wordset(
    "lump lumps knot knots nodule nodules bolita bolitas bulto bultos nodulo nodulos cordon cordones bruise bruises "
    "moreton moretones morete moretes cardenal ampolla ampollas blister blisters bola bolas granote granotes piedra "
    "piedras swollen hinchado hinchada hinchados hinchadas inflamado inflamada inflamados inflamadas inflamo "
    "inflamaron hincho hincharon")
# States that are also what people book treatments for ("dark spots", "redness"): two of these are no symptom.
COSMETIC = wordset(
    "red redness dark darker spots patches patch dry uneven bigger smaller lower higher tired sad lines rojo roja "
    "chico chica pequeno pequena "
    "rojos rojas manchas mancha oscuro oscura seco seca desigual grande chiquito chiquita arriba abajo low bajo "
    "sunken hundido hundida texture"
)
ANGRY = wordset(
    "sore hurts hurting painful pain tender hard hot warm red throbbing duele dolor adolorido adolorida dura duro "
    "caliente roja rojo punzadas late"
)
SPREAD = wordset("spreading spread worse worsening growing expanding bigger extiende empeora")
# "my lip went white", "se puso morado": a change of state.
CHANGE = wordset(
    "went turned turning gone became becoming getting got started starting developed noticed woke puso "
    "volvio hizo quedo empezo salio salieron dejo"
)
# Markers that a state is reported now, about someone ("my", "her", "I have", "tengo", "se me").
CURRENT = wordset(
    "my her his their our i'm i've i have has she's it's its it keep she he mom sister daughter husband wife there's "
    "friend still now today tonight right yesterday since woke keeps mi mis su sus tengo tiene tienen estoy "
    "esta estan siento siente ahora todavia hoy desde sigo sigue seguimos siga sigan tenga son brother aunt grandma"
    " grandmother "
    "client patient boyfriend girlfriend partner mother father dad mama abuela hija hijo hermana hermano esposa "
    "esposo amiga amigo tia novia novio cunada suegra amaneci amanecio"
) | CHANGE
# A state asked about as a possibility ("will I bruise?", "is it normal to swell?").
POSSIBLE = wordset(
    "will would could might may gonna should usually typically normally chance risk risks expect "
    "cause causes common happen if possible puede podria va vas voy van seria normalmente suele"
)
CLAUSE = re.compile(r"[.?!;\n]+")
WORDS = re.compile(r"[a-z]+(?:'[a-z]+)?")

# Words that only look like a body part or a state in these phrases.
IDIOMS = re.compile(
    r"\bweak (?:for|spot)\b|\bon the other side\b|\bside (?:effects?|note)\b|\bsee (?:why|how|what|if|the|you"
    r"|your|myself|u)\b|\b(?:talk|speak)\w* (?:right now|now|at|on|to|today|later|long|much|about)\b"
    r"|\bhard (?:time deciding|to decide|to choose|to find|to say|to tell|to believe)\b|\bhead (?:over|out)\b"
    r"|\bblue (?:cross|shield)\b|\bcold (?:sore|sores|feet|weather|outside|call)\b|\bhot (?:deal|price|spot)\b"
    r"|\bhot stone\b|\bface ?time\b|\bface it\b|\bopen (?:house|slot|slots|spot|spots|up|saturday|on)\b"
    r"|\bhold (?:on|off|the|a|my spot|my appointment)\b|\bdrink (?:alcohol|wine|coffee|before|after)\b"
    r"|\bspot (?:for|on|open|available|left)\b|\bblack friday\b|\bdead ?line\b|\bdark (?:circles|spots)\b"
    r"|\b(?:can't|cannot|couldn't) (?:wait|decide|believe|stop|afford|make|remember|find|figure|choose)\b"
    r"|\bwhite (?:stuff|teeth|wedding|dress)\b|\bhit the gym\b|\bfeel(?:ing)? free\b|\bfeel like (?:i need|getting"
    r"|a new|a million)\b"
    r"|\bnumb to\b|\bburn(?:ed|t|ing)? (?:through|thru|out)\b|\bon fire (?:sale|deal|with)\b|\bitching to\b"
    r"|\b(?:is|was|so|looks?|straight|looking) fire\b|\b(?:bank|wallet|account|budget|card)\b(?: [\w']+){0,2} "
    r"(?:is |was )?(?:bleeding|crying|hurting|dying|on fire)\b"
    r"|\b(?:cuanto|hasta cuando) (?:tiempo )?dura\b|\bdouble (?:booked|check|chin)\b|\bswelling of my (?:bank|wallet"
    r"|ego|heart|pride)\b"
    r"|\bbigger than my (?:budget|wallet|stomach|bank)\b|\bsore (?:from|after) (?:the |my )?(?:gym|workout|run|hike)\b"
    r"|\b(?:me arde|arde) (?:el|mi) (?:bolsillo|cartera|tarjeta)\b|\bde tanto (?:trabajar|estudiar|desvelarme|llorar"
    r"|reir)\b|\bcarne viva de\b|\bmi bolsillo\b"
)
# A treatment just had ("since my botox", "I had a peel monday", "26 hours post", "Xeomin was last Tuesday",
# "después del relleno", "me hice láser hace dos días").
TREATMENT = (
    r"(?:fillers?|botox|tox|dysport|xeomin|daxxify|jeuveau|juvederm|restylane|kysse|voluma|volbella|vollure|rha"
    r"|sculptra|radiesse|bellafill|kybella|skinvive|treatments?|injections?|injected|shots?|lasers?|peels?|ipl"
    r"|facials?|microneedling|appointment|appt|procedure|session|visit|hydrafacial|lips done|lip flip|neurotoxin"
    r"|masseter|prp|plasma|morpheus ?8?|brilliant|bbl|dermaplaning|co2|fraxel|halo|moxi|threads?|pdo|dissolv\w*"
    r"|hylenex|photofacial|electrolysis|waxing|wax|nose job|rhinoplasty|tear troughs?|needle|needles|relleno|rellenos"
    r"|tratamiento|inyeccion|inyecciones|cita|peeling"
    r"|aplicacion|sesion|procedimiento|hilos|depilacion|hialuronico|toxina|limpieza|microagujas|mesoterapia"
    r"|radiofrecuencia|dermapen|enzimas|belotero|revanesse|versa|profhilo|renuva|vi peel|tca|jessner|sofwave"
    r"|ultherapy|thermage|coolsculpt\w*|potenza|vivace|exosomes?|polynucleotides?|microblading|lash lift"
    r"|brow lamination"
    r"|tattoo removal|picosure|pico|sclerotherapy|exfoliacion|micropigmentacion|carboxiterapia|criolipolisis"
    r"|rinomodelacion|bioestimulador\w*|skinbooster\w*|inyectables?|piquetes?|pinchazos?|botox|lip filler|fill)"
)
TREATMENT_WORD = re.compile(TREATMENT)
PAST_TIME = (
    r"(?:yesterday|last (?:night|week|time|\w+day)|this (?:morning|afternoon|week|past weekend)|earlier(?: today)?"
    r"|(?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|over the weekend"
    r"|the other day|(?:[\w']+ ){1,2}ago|ayer|anoche|el (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)"
    r"|hace (?:[\w']+ ){0,1}(?:dias?|semanas?|horas?|rato))"
)
POST_TREATMENT = re.compile(
    rf"\b(?:since|after|from|post|following up on|than before)\s+(?:[\w'+]+\s+){{0,3}}?{TREATMENT}\b"
    rf"|\b(?:had|got|did|done|received|was in for|were in for|came in for|in for|seen\s+(?:[\w']+\s+){{0,3}}?for"
    rf"|treated for|went for)\s+"
    rf"(?:[\w'+]+\s+){{0,4}}?{TREATMENT}\b"
    rf"|\b{TREATMENT}\s+(?:[\w'+]+\s+){{0,4}}?{PAST_TIME}"
    r"|\b\d+\s*(?:hours?|hrs?|days?|weeks?|wks?)\s+(?:post|after|out|since|ago|in)\b|\bday \d+ (?:post|after)\b"
    r"|\b(?:where|when) (?:she|he|you|they|the nurse|the injector|it was)\s+(?:injected|did|put|done)\b"
    r"|\binjection sites?\b|\bwhere (?:the )?(?:filler|product|needle) went\b"
    r"|\b(?:you|she|he|they|dr \w+|the nurse|the injector|\w+) (?:did|injected|filled|treated|lasered) (?:my|her|his)\b"
    r"|\b(?:ever )?since (?:yesterday|last|this|then|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\bwasn't there\b|\bwoke up (?:with|and|today)\b|\bout of nowhere\b"
    rf"|\b{TREATMENT} (?:left|gave|caused|made|turned|ripped|burned|burnt|took|tore|me dejo|le dejo|me causo|me hizo"
    r"|me quemo|le quemo|me arranco|me levanto)\b"
    rf"|\b(?:where|over|around|near|on top of|donde (?:esta|fue|va)|sobre|encima del?) (?:the |my |el |la |mi )?"
    rf"{TREATMENT}\b(?! (?:price|cost|special|deal))"
    r"|\bdonde (?:me|le) (?:pusieron|inyectaron|hicieron|aplicaron|picaron)\b|\b(?:done|hecho) (?:an? |one |two |\d+ "
    r"|a few )?"
    r"(?:hours?|days?|hrs?|yesterday|today|this morning)\b"
    r"|\bya (?:paso|pasaron|van|llevo|lleva|tiene|tengo) (?:un |una |\w+ )?(?:mes|meses|dias?|semanas?|horas?)\b"
    r"|\bpasaron \w+ (?:dias|semanas|horas)\b|\b(?:quedo|quedaron)\b(?! (?:atent\w*|pendiente|en espera|a (?:sus|tus)"
    r" ordenes|de (?:venir|llamar|pasar)))|\b(?:after|despues de) (?:\d+|a few|a couple|two|three|four|five|dos|tres"
    r"|cuatro|cinco|unos|una|un) (?:of )?(?:days|hours|weeks|dias|horas|semanas|week|day|semana|dia)\b|\bsigue\b"
    r"|\bsigo con\b|\b(?:still|todavia|aun)\b(?! (?:want|wanna|get|getting|need|do|doing|open|available"
    r"|waiting|tienen|hay|puedo|quiero|have (?:the|a|any|openings|spots|room)|on|valid|good|going))|\btouch ?ups?\b"
    r"|\bretoques?\b|\b(?:amaneci|amanecio|me levante) con\b"
    r"|\b(?:lips?|cheeks?|chin|jaw|jawline|forehead|brows?|under ?eyes?|nose|face|neck|temples?|11s|crows? feet"
    r"|frown lines?|labios?|cachetes|pomulos|frente|ojeras|nariz|cara) (?:done|filled|injected|treated|lasered)\b"
    r"|\b(?:me|le) (?:inyect\w+|rellen\w+|hicieron|pusieron) (?:los |las |el |la )?(?:labios?|cachetes|pomulos|frente"
    r"|ojeras"
    r"|nariz|cara|menton|ceja|cejas)\b|\ba (?:la|las|los) (?:\w+ )?(?:semanas?|dias?|horas?) del?\b"
    rf"|\b(?:del|de la|de los|con el|con la|con los|por el|por la) (?:maquina del? )?{TREATMENT}\b(?! (?:price|precio))"
    r"|\b(?:hilos?|threads?) (?:\w+ )?(?:saliendo|salen|sale|poking|sticking|coming)\b"
    r"|\bit'?s been (?:[\w']+ ){0,2}(?:days?|hours?|weeks?)\b(?! since)"
    rf"|\b(?:despues|desde|dias|horas|semanas)\s+(?:de\s+|del\s+)?(?:la\s+|el\s+|mi\s+|los\s+|las\s+|su\s+)?"
    rf"(?:[\w']+\s+){{0,2}}?{TREATMENT}\b|\b(?:me|se|le|nos)\s+(?:hice|hizo|hicieron|puse|puso|pusieron|aplicaron"
    r"|inyectaron|atendieron|trataron)\b|\bhace (?:[\w']+ )?(?:dias?|semanas?|horas?)\b|\bya van \w+ dias\b"
    r"|\bfue (?:el |la )?\w+ hace\b|\bdesde (?:ayer|anoche|el (?:lunes|martes|miercoles|jueves|viernes|sabado"
    r"|domingo)|hace|que (?:me|le|se))\b|\bllevo \w+ dias\b|\ba los \w+ dias\b|\bme (?:lo|la|los|las) "
    r"(?:hicieron|pusieron|aplicaron|inyectaron)\b"
)
# Comparisons that describe a symptom ("like I got hit by a truck", "como un globo").
# Comparisons that only ever describe something wrong with a body part (no treatment needs naming).
VIVID = re.compile(
    r"\b(?:hit|balloon|bee|globo|pelota|naranja|orange|abeja|stung|marble|golf|joker|sandpaper|sausages?|salchichas?"
    r"|pato|duck|lija|hormigas?|ants|bugs|payaso|clown|zombie|monster|monstruo|stroke|derrame|punched|golpead\w*"
    r"|quemad\w*|burn|burned|burnt|bruised?|alien|fish|pez|shelf|repisa|arena|sand)(?:s|es)?\b")
COMPARISON = re.compile(
    r"\blike (?:i|i've|ive|she|he)? ?(?:got|been|was)? ?hit (?:by|with) a\b|\blike a (?:balloon|bee sting|bruise"
    r"|golf ball|marble)\b|\bcomo (?:un globo|una pelota|si me hubieran)\b|\bpiel de naranja\b"
    r"|\borange peel (?:texture|skin|look)\b|\b(?:me|le) picaron (?:unas? )?abejas?\b|\bstung by (?:a )?bees?\b"
    r"|\b(?:looks?|looking|feels?|feeling|is looking|is feeling|look|looked|felt) like (?!(?:i need|getting|a new"
    r"|a million"
    r"|you|the (?:same|best|time|way|one)))|\b(?:me veo|se me ve|se ve|me siento|se siente|parezco"
    r"|siento) (?:\w+ )?como\b"
    r"|\bcomo (?:de |un |una |unos |unas |si )?(?:pato|lija|hormigas|salchichas?|payaso|piedras?|quemad\w*|golpead\w*"
    r"|globo|pelota|un derrame)\b"
    r"|\b(?:se (?:ve|siente)|parece) como\b"
)


SUPERLATIVE = re.compile(r"^(\w{3,}?)isim([oa]s?)$")
DIMINUTIVE = re.compile(r"^(\w{3,}?)(c?)it([oa]s?)$")


@lru_cache(maxsize=100_000)
def _undiminish(word: str) -> str | None:
    """Spanish diminutives to their base: bultito -> bulto, blanquito -> blanco, moradita -> morada,
    hoyitos -> hoyos, dolorcito -> dolor (patients soften what they report: "tengo un bultito")."""
    m = DIMINUTIVE.match(word)
    if not m:
        return None
    stem, c, ending = m.groups()
    if c and stem.endswith(("or", "on", "el", "al", "ar", "er")):
        return stem  # dolorcito -> dolor, cordoncito -> cordon
    stem = stem + c
    if stem.endswith("qu"):
        stem = stem[:-2] + "c"
    elif stem.endswith("gu"):
        stem = stem[:-1]
    return stem + ending


@lru_cache(maxsize=100_000)
def _lemma_forms(word: str, lang: str) -> frozenset[str]:
    forms = {word, language.lemma(word, "en")}
    if lang == "es":
        forms.add(language.lemma(word, "es"))
    base = _undiminish(word) if len(word) > 5 else None
    if base:
        forms.update({base, language.lemma(base, "es"), base.rstrip("aos")})  # azulito -> azul
    if len(word) > 5 and word.endswith("ish"):  # numbish -> numb, reddish -> red, pinkish -> pink
        base = word[:-3]
        forms.update({base, base[:-1] if base[-1] == base[-2] else base})
    if len(word) > 4 and word.endswith("s"):  # plurals simplemma does not know: amoratados -> amoratado
        forms.add(word[:-1])
    m = SUPERLATIVE.match(word)
    if m:  # hinchadisimo -> hinchado, rojisima -> roja
        forms.add(m.group(1) + m.group(2))
    return frozenset(forms)


@lru_cache(maxsize=100_000)
def _tags(word: str, lang: str) -> frozenset[str]:
    forms = _lemma_forms(word, lang)
    tags = set()
    for name, table in (("airway", AIRWAY), ("body", BODY), ("function", FUNCTION),
                        ("function_body", FUNCTION_WITH_BODY), ("inability", INABILITY), ("strong", STRONG),
                        ("loss", LOSS), ("mild", MILD), ("spread", SPREAD), ("change", CHANGE),
                        ("current", CURRENT), ("possible", POSSIBLE)):
        if word in table or (name not in ("current", "possible", "inability") and forms & table):
            tags.add(name)
    if word in LOSS_PARTS:
        tags.add("loss_part")
    if lang == "es" and word in ("late", "laten", "palpita"):
        tags.add("mild")  # "me late la mejilla" (throbbing); English "late" is not a state
    if lang == "es" and word in ("me", "se", "le", "nos"):
        tags.add("current")  # "se me hinchó", "le salió": it happened to someone
    return frozenset(tags)


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in CLAUSE.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if b > a]


def _masked(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in IDIOMS.finditer(text)]


RELEVANT = frozenset({"body", "loss_part", "function", "function_body", "mild", "strong"})


def find(text: str, lang: str = "en", possible: list | None = None) -> list[tuple[int, int]]:
    """Spans of the normalised text that report a symptom (see the module docstring).  Symptoms only asked
    about as possibilities ("will I bruise?") are left out, and appended to `possible` when given."""
    found = [(m.group(), m.start(), m.end(), _tags(m.group(), lang)) for m in WORDS.finditer(text)]
    if not any(RELEVANT & tag for _, _, _, tag in found):
        return []  # no body part, function or abnormal state anywhere: nothing to combine
    masked = _masked(text)
    if masked:
        found = [w for w in found if not any(s <= w[1] < e for s, e in masked)]
    post_found: list[bool] = []

    def post() -> bool:  # a treatment just had, looked for only when a mild state needs it
        if not post_found:
            post_found.append(bool(POST_TREATMENT.search(text)))
        return post_found[0]

    spans: list[tuple[int, int]] = []
    for a, b in _clauses(text):
        words = [w for w in found if a <= w[1] < b]
        tags = [w[3] for w in words]
        if not any(RELEVANT & tag for tag in tags):
            continue
        has_current = any("current" in t for t in tags)
        has_change = any("change" in t for t in tags)
        has_feel = any(w[0] in FEEL for w in words)  # "siento la boca rara", "my face feels weird": a sensation now
        for i, (_, start, end, tag) in enumerate(words):
            # lost ability: inability marker, then a function within three words
            if "function" in tag or "function_body" in tag:
                j = next((j for j in range(max(0, i - 3), i)
                          if "inability" in tags[j] or _spanish_cant(words, j)), None)
                if j is not None and ("function" in tag or _body_near(tags, i, 4) or _body_before(tags, j)):
                    spans.append((words[j][1], end))
                    continue
            # body part (or function) x abnormal state, within four words either side
            if "body" in tag or "loss_part" in tag:
                for k in range(max(0, i - 6), min(len(words), i + 7)):
                    if k == i:
                        continue
                    other = tags[k]
                    strong = "strong" in other or ("loss" in other and "loss_part" in tag)
                    mild = "mild" in other or "spread" in other
                    if not (strong or mild) or (abs(k - i) > 4 and not strong):
                        continue  # a strong state reaches a little further ("se me durmio la mitad de la cara")
                    if strong or "airway" in tag or (
                            mild and not _possible_before(tags, min(i, k)) and (post() or (
                                has_feel and words[k][0] not in COSMETIC and words[k][0] not in NOT_A_SYMPTOM))
                            and (has_current or has_change or k > i)):
                        spans.append((min(start, words[k][1]), max(end, words[k][2])))
                        break
            # a mild state with no body part, reported after a treatment
            if (("mild" in tag or "strong" in tag) and "body" not in tag
                    and (has_current or any("change" in t for t in tags[max(0, i - 3):i])
                         or sum(1 for t in tags if "mild" in t or "strong" in t) >= 2)
                    and not TREATMENT_WORD.fullmatch(words[i][0])
                    and not _possible_before(tags, i) and not any("body" in t for t in tags[max(0, i - 4):i + 5])
                    and post()):
                spans.append((start, end))
        # what was put in the skin, described as it is now ("my filler feels hard", "el relleno se ve grumoso")
        for i, w in enumerate(words):
            if w[0] in ARTIFACT and not _possible_before(tags, i) and any(
                    words[j][0] in MOVES for j in range(i + 1, min(len(words), i + 3))):
                spans.append((w[1], words[min(len(words) - 1, i + 2)][2]))  # "I can feel the filler move"
                continue
            if w[0] in ARTIFACT and not _possible_before(tags, i):
                link = next((j for j in range(i + 1, min(len(words), i + 3)) if words[j][0] in LINK), None)
                if link is not None and any("body" in tags[j] for j in range(i + 1, link)):
                    link = None  # "since my last filler my lip looks white": the lip is what looks white
                if link is not None:
                    state = next((k for k in range(link + 1, min(len(words), link + 4))
                                  if ("mild" in tags[k] or "strong" in tags[k]) and words[k][0] not in COSMETIC), None)
                    if state is not None:
                        spans.append((w[1], words[state][2]))
        # a firm lump on a body part, reported as one's own ("tengo un bulto en el cachete", "a knot in my lip");
        # or two or more abnormal states of one body part that are not what people book for ("my chin looks
        # dimpled and bumpy and one side is stiff")
        if has_current and not any("body" in t for t in tags) and text[b:b + 1] != "?":
            own = next((w for w in words if w[0] in HARD_LUMP and w[0] not in LUMP_VERB_LIKE), None)
            if own is not None and any(w[0] in OWN for w in words):
                spans.append((own[1], own[2]))  # "no es nada grave pero tengo un moretón"
        if has_current and any("body" in t for t in tags):
            hard = [i for i, w in enumerate(words) if w[0] in HARD_LUMP or (
                _undiminish(w[0]) or "") in HARD_LUMP]
            if not any("body" in t for (word, _, _, t) in words if word not in LIMBS):
                hard = []  # "a bruise on my leg from the gym": not where anyone was treated
            states = {w[0] for w in words if ("mild" in w[3] or "strong" in w[3]) and w[0] not in COSMETIC
                      and "body" not in w[3]}
            first = hard[0] if hard else None
            if first is not None and not _possible_before(tags, first):
                spans.append((words[first][1], words[first][2]))
            elif len(states) >= 2 and not any(_possible_before(tags, i) for i, w in enumerate(words)
                                               if w[0] in states):
                idx = [i for i, w in enumerate(words) if w[0] in states]
                spans.append((words[idx[0]][1], words[idx[-1]][2]))
        # a lump or swelling that is also painful, hard, hot or red, on a body part, reported now
        lumps = [i for i, w in enumerate(words) if w[0] in LUMP]
        angry = [i for i, w in enumerate(words) if w[0] in ANGRY or "doler" in _lemma_forms(w[0], lang)]
        if lumps and angry and has_current and any("body" in t for t in tags) and not _possible_before(
                tags, min(lumps[0], angry[0])):
            first, last = min(lumps[0], angry[0]), max(lumps[0], angry[0])
            if last - first <= 8:
                spans.append((words[first][1], words[last][2]))
    for m in COMPARISON.finditer(text):
        before = text[max(0, m.start() - 40):m.start()].split()[-4:]
        after = text[m.end():m.end() + 40].split()[:6]
        if WISH.search(" ".join(before)):
            continue
        vivid = VIVID.search(text[m.start():m.end() + 25])
        body_before = any(_tags(w, lang) & {"body", "airway"} for w in before)
        body_after = any(_tags(w.strip(",.?!"), lang) & {"body", "airway"} for w in after)
        # "feels like sandpaper on my cheek after the laser"; vivid ones need no treatment named: "like I got hit by
        # a truck", "me picaron abejas en los labios" are a report as they stand
        if (post() and (body_before or body_after or vivid)) or (vivid and (body_before or body_after)):
            spans.append(m.span())
    reported = []
    for span in _merge(spans):
        if possibility_question(text, span[0], lang):
            if possible is not None:
                possible.append(span)
        else:
            reported.append(span)
    return reported


def _spanish_cant(words, j: int) -> bool:
    """"no puedo/puede/podia ...", "no siento", "no se me levanta" (a body function that no longer works)."""
    if words[j][0] != "no" or j + 1 >= len(words):
        return False
    following = words[j + 1:j + 4]
    return "poder" in _lemma_forms(words[j + 1][0], "es") or any(
        "function_body" in w[3] or "function" in w[3] for w in following[:1]) or (
        len(following) >= 2 and following[0][0] in ("se", "me", "le") and any(
            "function_body" in w[3] or "function" in w[3] for w in following[1:]))


# "I want my lips to look like ...": a wish, not a report.
WISH = re.compile(r"\b(?:want|wanted|wanting|hoping|hope|would|wish|to|quiero|quisiera|gustaria|queria)\b")
# A question about what might happen ("can botox make your eyelid droop?", "will I get numbness from laser?",
# "is it true you can't drink from a straw after?", "es cierto que puede caerse el párpado?") is a provider
# question, unless the clause also reports something now ("my lip is numb, will it last?").
QUESTION_LEAD = re.compile(
    r"(?:^|\b)(?:will|would|could|can|might|may|does|do|is it true|is it normal to|how long|what should i expect"
    r"|what shud i expect|what are the chances|what if|any risk|is there a risk|should i expect|expect|usually"
    r"|typically|es cierto|es verdad|puede (?:causar|hacer|provocar|dar)|podria|va a|suele|cuanto (?:tiempo )?dura"
    r"|se (?:puede|pueden)|es normal que se(?! me| le| nos)|van a|me van a|se (?:pone|ponen|queda|quedan|hincha"
    r"|hinchan|inflama)|es normal (?:que )?(?:hincharse|inflamarse|tener|quedar)|hay (?:algun )?riesgo"
    r"|riesgo de|existe (?:el )?riesgo|posibilidad de|is there (?:any|a) chance|what are the risks|cuantos (?:dias"
    r"|horas|semanas)|cuanto tiempo|how many (?:days|hours|weeks)|me da miedo|tengo miedo|miedo (?:de|a)"
    r"|i'?m (?:scared|afraid|worried)|scared|afraid"
    r"|cuanto tarda|es comun|voy a tener)\b"
)
NOW = re.compile(
    r"\b(?:now|since|still|today|yesterday|woke|turned|went|started|right now|rn|keeps|ahora|desde|todavia|ya"
    r"|hoy|ayer|my \w+ (?:is|are|feels|looks)|i have|i've got|i am|i'm|im|tengo(?! miedo)|tiene|tenga|siga"
    r"|mis? \w+ (?:esta|estan|se ve|se ven|se siente|sigue|siguen|se puso|se pusieron)"
    r"|(?:could|might|can) (?:it|this|that) be|is (?:it|this|that) (?:a|an))\b"
)


# "¿duele mucho el microneedling?", "does it hurt a lot?": the state asked about in general, nobody's own.
IMPERSONAL_SE = re.compile(r"\bse (?:pone|ponen|queda|quedan|hincha|hinchan|inflama|inflaman|amorata|amoratan)\b")
IMPERSONAL_QUESTION = re.compile(r"\s*(?:duele|arde|pica|se hincha|se inflama|se amorata|hurts?|does it hurt)\b")


def possibility_question(text: str, start: int, lang: str = "en") -> bool:
    """True when the symptom at `start` sits in a question about what might happen, with nothing reported."""
    clause_start = max(text.rfind(ch, 0, start) for ch in ".?!;\n") + 1
    clause_end = min([i for i in (text.find(ch, start) for ch in ".?!;\n") if i >= 0] or [len(text)])
    lead = text[clause_start:start]
    clause = text[clause_start:clause_end]
    if not QUESTION_LEAD.search(lead) and not (
            (not lead.strip() and IMPERSONAL_QUESTION.match(clause) or IMPERSONAL_SE.search(clause))
            and text[clause_end:clause_end + 1] == "?"):
        return False
    asked = clause_end < len(text) and text[clause_end] == "?" or lead.lstrip().startswith(
        ("will", "can", "could", "does", "do ", "is it", "how", "what", "es cierto", "es verdad", "puede", "se puede"))
    return asked and not NOW.search(clause)


PAIN = wordset("pain painful hurt hurts hurting ache aching sore throbbing duele dolor adolorido adolorida arde ardor")


def symptom_words(text: str, lang: str = "en") -> list[tuple[int, int]]:
    """Words that name an abnormal state (droopy, swollen, lump, pain, morado...), idioms left out: a message
    with one of them is never a plain booking, whatever else it asks."""
    masked = _masked(text)
    words = [m for m in WORDS.finditer(text) if not any(s <= m.start() < e for s, e in masked)]
    found = []
    for i, m in enumerate(words):
        word = m.group()
        if TREATMENT_WORD.fullmatch(word):
            continue
        tags = _tags(word, lang)
        if word in LUMP or word in PAIN or word in HARD_LUMP or "strong" in tags or (
                "mild" in tags and word not in COSMETIC and word not in NOT_A_SYMPTOM):
            found.append(m.span())
        elif "mild" in tags and word in ASYMMETRY and any(
                "body" in _tags(w.group(), lang) for w in words[max(0, i - 4):i + 5]):
            found.append(m.span())  # "one brow is higher", "un labio más grande"
    return found


ASYMMETRY = wordset("uneven higher lower bigger smaller desigual alta alto grande chiquito chiquita arriba abajo")


# Mild words that, alone in a booking request, say nothing about a symptom.
NOT_A_SYMPTOM = wordset(
    "off funny different strange wrong weird hard tight raw fire sad tired heal healing water waters falls falling "
    "pulled pulling arriba abajo grande diferente raro rara extrano extrana agua low bajo texture marks marcas "
    "pattern tiring exhausting sensitive sensible molesta molestia pelar")


def _body_near(tags, i: int, width: int) -> bool:
    return any("body" in tags[k] or "airway" in tags[k] for k in range(i + 1, min(len(tags), i + 1 + width)))


def _body_before(tags, j: int) -> bool:
    return any("body" in tags[k] for k in range(max(0, j - 7), j))


def _possible_before(tags, i: int) -> bool:
    return any("possible" in t for t in tags[max(0, i - 6):i])


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(set(spans)):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _vocabulary() -> list[str]:
    seen: dict[str, None] = {}
    for table in (AIRWAY, BODY, FUNCTION, FUNCTION_WITH_BODY, STRONG, MILD):
        for word in sorted(table):
            if len(word) >= 5 and "'" not in word:
                seen.setdefault(word)
    return list(seen)


language.DOMAIN_VOCABULARY[:] = _vocabulary()
