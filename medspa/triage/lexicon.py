"""Phrase rules for each route, run on normalised text (see text.py): lower case, straight apostrophes.

Rules are written so that a body word alone ("lips", "eyes", "skin", "face") never fires safety: a
*symptom phrase* does ("lip looks white", "trouble swallowing", "my eye is drooping").
"""

from __future__ import annotations

import re

from medspa.routes import Route

GAP = r"(?:[\w']+\s+){0,3}?"  # up to three filler words between two parts of a phrase
SHORT_GAP = r"(?:[\w']+\s+){0,2}?"
CANT = r"(?:can'?t|cant|cannot|can not|couldn'?t|couldnt|could not|unable to|not able to)"
PRODUCT = r"(?:botox|dysport|xeomin|daxxify|jeuveau|juvederm|restylane|rha|sculptra|radiesse|versa|kysse)"
TREATMENT = (
    r"(?:filler|fillers|botox|tox|dysport|xeomin|treatment|injections?|shots?|laser|peel|ipl|facial"
    r"|microneedling|appointment|procedure|session|visit|lips?|hydrafacial)"
)
# "since my filler", "after the peel yesterday", "I got Botox", "since yesterday".
POST_TREATMENT = re.compile(
    rf"\b(?:since|after|from)\s+(?:my\s+|the\s+|your\s+|her\s+|getting\s+|having\s+|i\s+(?:got|had)\s+)?"
    rf"(?:[\w']+\s+)?{TREATMENT}\b"
    r"|\b(?:since|after)\s+(?:yesterday|last\s+\w+|this\s+morning|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday)\b"
    rf"|\b(?:i\s+(?:got|had|did)|got|had)\s+(?:my\s+|some\s+|the\s+)?(?:[\w']+\s+)?{TREATMENT}\b"
)
# Phrases that look like symptoms but are not: masked before safety rules run.
BENIGN = re.compile(
    r"(?<![\w'])(?:"  # every idiom starts at a word: mid-word positions are skipped at once
    r"\bnumb to\b|\bburn(?:ed|t|ing)? (?:through|thru)\b|\bemergency (?:lol|lmao|haha|jk)\b|\bitching to\b"
    r"|\bon fire (?:with|sale|deal)\b|\b(?:is|was|so|looks?|straight|looking) fire\b"
    r"|\b(?:bank|wallet|account|budget|card)\b(?: [\w']+){0,2} (?:is |was )?(?:bleeding|crying|hurting|dying|on fire)\b"
    r"|\b(?:beauty|botox|facial|skin ?care|hair|brow|lash|eyebrow) emergency\b"
    r"|\b(?:almost |nearly |practically |i |just )?(?:fainted|died|passed out|fainting|dying) (?:at(?! home| work"
    r"| the clinic| my| school| night)|when|over|from"
    r"|seeing|reading|looking)\b|\bcasi me desmay\w*|\bme (?:muero|mori) (?:de|con|por)\b"
    r"|\bfever blisters?\b|\bweak(?:ness)? (?:for|spot)\b|\bsun ?burn\w*|\bdying to\b|\bbreathtaking\b"
    r"|\bdrop[- ]?dead\b"
    r"|\bblind spots?\b|\bnumbing (?:cream|agent)\b|\bburning (?:question|desire|curiosity)\b"
    r"|\b(?:me )?arde (?:el|mi) (?:bolsillo|cartera|tarjeta)\b|\bestoy que ardo\b|\bemergencia de (?:belleza|estilo)\b"
    r"|\b(?:cara|cabeza) (?:caida|quemada)(?= de tanto| jaja| de estudiar| de trabajar)|\b(?:traigo|tengo|ando con)"
    r" la cabeza quemada\b|\bcarne viva de lo\b|\b(?:bien )?hinchad[oa] de (?:sesiones|citas|trabajo|comer)\b"
    r"|\bde infarto\b|\b(?:family|work|personal|childcare|babysitter|car) emergency\b"
    r"|\bemergencia (?:familiar|personal|de trabajo|en el trabajo|en la familia|con mi (?:hijo|hija|carro|coche))\b"
    r"|\bquemad[oa]s? (?:del|por el|de) sol\b|\b(?:me )?duele (?:verme|ver|pagar|gastar|admitir|decir)\b"
    r"|\b(?:allergic )?reactions? to (?:penicillin|amoxicillin|sulfa|latex|shellfish|peanuts?|bees?)"
    r"(?: [\w']+){0,2} (?:years ago|as a kid|when i was|in the past|long ago)\b"
    r"|\b(?:bolsillo|cartera|wallet)\b(?: [\w']+){0,3} (?:me )?(?:esta )?(?:doliendo|duele|llorando)\b"
    r")"
)

_COLOR = (
    r"(?:white|whitish|blanch\w*|dusky|gr[ae]y|grayish|greyish|blue|bluish|purple|purplish|mottled|cold"
    r"|lacy|patchy|ashen)"
)
_SUBJECT = (
    r"(?:lips?|skin|area|spot|nose|chin|cheeks?|face|fingers?|injection sites?|site|patch|forehead|tip"
    r"|jaw|jawline|temples?|under ?eyes?|tear ?troughs?|nasolabial|smile lines?)"
)
_LINK = (
    r"(?:is|are|looks?|looking|turns?|turned|turning|went|going|gone|became|becoming|getting|got|seems?|feels?"
    r"|feeling|has|have|still|kinda|kind of|all)"
)
_CHANGE = r"(?:turned|turning|went|going|gone|became|becoming|getting|got)"

SAFETY = [
    # breathing and swallowing
    rf"\b(?:trouble|difficulty|difficult|problems?|issues?|struggling|struggle|pain|hard time)\s+(?:with\s+)?"
    rf"{GAP}(?:swallow\w*|breath\w*)",
    rf"\b(?:{CANT}|hard to|hurts? to|hurting to|painful to|difficult to|struggl\w* to)\s+(?:[\w']+\s+)?"
    r"(?:swallow\w*|breathe|breath|catch my breath|get air)\b",
    r"\b(?:swallowing|breathing|breath)\s+(?:problems?|issues?|trouble|difficult\w*)\b",
    r"\b(?:swallow\w*|breathing|breath)\s+(?:is\s+|feels?\s+|has\s+been\s+|got\s+|gets\s+)(?:[\w']+\s+)?"
    r"(?:hard|difficult|painful|hurts?|labou?red|weird|shallow|tight|off|funny)\b",
    r"\b(?:hard|heavy|labou?red|difficult|painful|shallow)\s+breathing\b",
    r"\bshort(?:ness)? of breath\b|\bbreathless\w*|\bwheez\w*|\bgasping\b",
    r"\bthroat\s+(?:[\w']+\s+){0,2}?(?:clos\w*|tight\w*|swell\w*|swollen)",
    r"\b(?:tight|tightness|closing|swollen|swelling)\s+(?:in\s+|of\s+)?(?:my\s+|the\s+)?throat\b",
    r"\btongue\s+(?:[\w']+\s+){0,2}?(?:swell\w*|swollen|numb|thick)",
    r"\b(?:swell\w*|swollen)\s+(?:[\w']+\s+){0,2}?tongue\b",
    # vision
    r"\b(?:blurr?y|blurred|double|lost|loss of|losing|dim|dimmed|cloudy|fuzzy|changes? in|spotty)\s+"
    r"(?:my\s+|in\s+)?vision\b",
    r"\bvision\s+(?:[\w']+\s+){0,2}?(?:chang\w*|blurr?\w*|loss|lost|off|went|going|dark\w*|weird|spotty|gone"
    r"|problems?|issues?|is|has|got|getting|seems|feels|looks)\b",
    r"\bblurr?(?:y|ed|iness)\b(?!\s+lines)",
    r"\b(?:seeing|see|saw)\s+double\b",
    r"\b(?:can'?t|cant|cannot|couldn'?t|could not|unable to|hard to|trouble|difficulty)\s+(?:[\w']+\s+)?"
    r"see(?:ing)?\s+(?:out of|clearly|properly|well|straight|anything|right)\b",
    r"\b(?:can'?t|cant|cannot|couldn'?t)\s+see\s*(?:[.!?]|$)",
    r"\b(?:gone|going|went|go)\s+blind\b|\bblindness\b",
    r"\b(?:spots?|floaters?|flashes)\s+in\s+my\s+(?:vision|eyes?)\b",
    r"\bseeing (?:little |tiny |small |black |white |bright |some |dark )?(?:spots|sparkles|stars|flashes"
    r"|flashing lights"
    r"|floaters|lights|squiggles)\b|\bveo (?:lucecitas|luces|estrellitas|chispas|chispitas|puntitos|puntos|manchitas"
    r"|destellos|sombras)\b",
    # drooping, weakness, speech
    r"\bdroop\w*|\bptosis\b",
    r"\b(?:heavy|sagging|saggy)\s+(?:eye)?(?:lids?|brows?|eyebrows?)\b",
    r"\b(?:eyelids?|lids?|eyebrows?|brows?)\s+(?:[\w']+\s+){0,2}?(?:heavy|sagging|dropped|fell|falling|hanging)\b",
    r"\bparaly\w*",
    r"\beyes?\s+(?:[\w']+\s+)?(?:looks?|is|are|seems?)\s+(?:[\w']+\s+)?(?:smaller|lower|half closed|half shut)\b",
    r"\b(?:can'?t|cant|cannot|couldn'?t)\s+(?:fully\s+)?open\s+(?:my\s+|it\b|the\s+)(?:[\w']+\s+)?(?:eyes?|eyelids?"
    r"|lids?)?",
    r"\b(?:can'?t|cant|cannot)\s+(?:move|close|lift|raise)\s+(?:my|one|the)\s+(?:[\w']+\s+)?"
    r"(?:face|mouth|eye|eyes|eyelid|eyebrow|brow|lip|lips|side)\b",
    r"\bweakness\b",
    r"\b(?:feels?|feeling|felt|gone|going|got|getting)\s+(?:so\s+|very\s+|really\s+)?weak\b",
    r"\b(?:i'?m|i am|im)\s+(?:so\s+|very\s+|really\s+)?weak\b",
    r"\b(?:face|arms?|legs?|side|hands?|body|muscles?)\s+(?:is|are)\s+(?:[\w']+\s+)?weak\b",
    r"\bweak\s+(?:on one side|arms?|legs?|muscles?|side|hands?)\b",
    r"\bslurr\w*|\b(?:trouble|difficulty|hard time|can'?t|cant)\s+(?:talking|speaking|talk|speak)\b"
    r"(?!\s+(?:right now|now|at|on|to|today|later|long|much|about|rn|because|till|until))",
    # circulation after filler: white, blue, grey, mottled, cold skin
    rf"\b{_SUBJECT}\s+{SHORT_GAP}{_LINK}\s+(?:[\w']+\s+)?{_COLOR}\b",
    rf"\b{_SUBJECT}\s+{SHORT_GAP}{_CHANGE}\s+(?:[\w']+\s+)?(?:dark|black|pale)\b",
    r"\b(?:lips?|spot|area|nose|tip|chin|injection sites?|site|patch)\s+(?:[\w']+\s+){0,3}?(?:is|are|looks?|turned"
    r"|went|gone|getting)\s+(?:[\w']+\s+)?(?:black|dark)\b",
    r"\bblanch\w*|\bdusky\b|\bmottl\w*|\blivedo\b|\bnecros\w*|\bocclu\w*|\btissue death\b",
    r"\b(?:white|blue|purple|gr[ae]y|dusky|mottled|bluish|purplish)\s+(?:patch|patches|areas?|discolou?ration"
    r"|blotch\w*)\b",
    # infection, redness, blisters, burns, allergy
    r"\bspreading\s+(?:redness|rash|red|swelling|bruis\w*|pain)\b",
    r"\b(?:redness|rash|red|swelling|bruis\w*|discolou?ration)\s+(?:[\w']+\s+){0,3}?(?:spreading|getting worse"
    r"|getting bigger|worse|worsening|growing|expanding)\b",
    r"\bred\s+(?:and|&)\s+(?:hot|warm|swollen|painful|angry|tender|hard)\b"
    r"|\b(?:hot|warm|hard|swollen|painful|tender)\s+(?:and|&)\s+red\b",
    r"\b(?:hot|warm)\s+to\s+(?:the\s+)?touch\b",
    r"\bpus\b|\booz\w*|\babscess\w*|\binfect\w*|\bfever\w*|\bfeverish\b",
    r"\b(?:yellow|green)\s+(?:discharge|crust\w*|fluid|stuff)\b",
    r"\bbliste?r\w*",
    r"\bburn(?:ed|t)\b(?!\s+out)",
    r"\bburns?\s+(?:on|from|after|marks?)\b|\b(?:laser|peel|chemical|ipl)\s*burns?\b",
    r"\bburning\s+(?:sensation|feeling|pain|skin)\b",
    r"\b(?:skin|face|it|lips?|area|legs?|arms?|eyes?|still|really|so|is|was|feels?|started|and)\s+(?:[\w']+\s+)?"
    r"burn(?:ing|s)\b(?!\s+(?:question|desire|through|a hole|calories|fat))",
    r"\bhives\b|\bwelts?\b|\brash(?:es)?\b(?!\s+(?:decision|choice|move|purchase))",
    r"\b(?:allergic|bad|severe|serious|weird|strange)\s+reactions?\b|\breact\w*\s+badly\b",
    r"\b(?:having|had|getting|got)\s+(?:a|an|some)\s+(?:[\w']+\s+)?reactions?\b",
    r"\banaphyla\w*|\bepi ?pen\b",
    r"\b(?:severe|spreading|massive|huge|extreme|really bad|worsening)\s+swelling\b",
    r"\bswell\w*\s+(?:[\w']+\s+){0,3}?(?:spreading|getting worse|worse|won'?t go down|wont go down"
    r"|not going down|keeps getting)\b",
    r"\b(?:whole|entire)\s+face\s+(?:[\w']+\s+){0,2}?(?:swell\w*|swollen|puffed)",
    r"\b(?:swollen|swelling|swelled)\s+shut\b|\bface\s+(?:is\s+)?swelling\s+up\b",
    # fainting, dizziness, heart, numbness, headache, bleeding, emergencies
    r"\bfaint(?:ed|ing)\b|\b(?:feel|feels|feeling|felt|going to|gonna|almost)\s+faint\b",
    r"\bpass(?:ed|ing)?\s+out\b|\bblack(?:ed)?\s+out\b|\blost consciousness\b|\bcollapsed\b",
    r"\bdizz\w*|\blight[- ]?headed\w*|\bvomit\w*|\bthrowing up\b|\bthrew up\b|\bseizures?\b",
    r"\bchest\s+(?:[\w']+\s+)?(?:pain|tight\w*|pressure|hurts?|hurting)\b",
    r"\bheart\s+(?:is\s+|keeps\s+|started\s+)?(?:racing|pounding|palpitat\w*|fluttering|skipping)\b",
    r"\bpalpitations?\b|\bracing heart\b",
    r"\bnumb(?:ness)?\b|\btingl\w*",
    r"\b(?:severe|bad|terrible|horrible|worst|awful|pounding|splitting|constant|persistent|crazy|massive)\s+"
    r"headaches?\b",
    r"\bheadaches?\s+(?:[\w']+\s+){0,4}?(?:won'?t|wont|will not|doesn'?t|does not|hasn'?t|has not|not|isn'?t"
    r"|never)\s+(?:[\w']+\s+)?(?:go|going|gone|went)\s+away\b",
    r"\bheadaches?\s+(?:ever\s+)?since\b",
    r"\b(?:won'?t|wont|will not|doesn'?t|not)\s+stop\s+bleeding\b",
    r"\bbleeding\s+(?:[\w']+\s+)?(?:a lot|heavily|badly|everywhere)\b",
    r"\bemergenc\w*(?!\s+contact)|\b911\b|\bemergency room\b|\burgent care\b|\bambulance\b|\bstroke\b",
    r"\b(?:the|to)\s+(?:er|hospital)\b",
    # Spanish (accents folded): standalone red flags; body x state combinations are in concepts.py
    r"\b(?:boca|cara|sonrisa|labio|labios) (?:de|hacia un|para un) lado\b|\bcarne viva\b",
    r"\b(?:quedo|quedaron|esta|se ve|se me fue|se le fue|jalada|jalado|chueca) (?:de|hacia un|para un) lado\b"
    r"|\b(?:solo|nomas|nada mas|nomas) se (?:me |le )?(?:mueve|levanta|mueven) (?:un|de un|el un) lado\b"
    r"|\bonly one side (?:of my \w+ )?(?:moves|works|lifts|smiles)\b",
    r"\bswell\w*\s+(?:[\w']+\s+){0,2}?(?:has\s?n'?t|has not|is\s?n'?t|is not|not|won'?t|will not|doesn'?t|does not)\s+"
    r"(?:[\w']+\s+)?(?:gone|going|go|come|coming) down\b"
    r"|\b(?:hinchazon|inflamacion|hinchado|hinchada|moreton|moretones|bulto"
    r"|bolita)\s+(?:[\w']+\s+){0,2}?no\s+(?:se\s+)?"
    r"(?:me\s+)?(?:baja|bajan|quita|quitan|va|van|desinflama|desaparece)\b"
    r"|\bno (?:aguanto|soporto) (?:el |este |tanto )?dolor\b|\bme siento (?:muy |bien |super |bastante )?mal (?:desde"
    r"|despues)\b"
    r"|\bfeel(?:ing)? (?:really |so |very |super )?(?:sick|ill|awful|terrible|unwell) (?:since|after)\b"
    r"|\bse me atora\w*|\bfood (?:keeps )?(?:getting |gets )?stuck\b",
    r"\bcold sores? (?:are |is )?(?:popping|broke|breaking|coming|came|showed|appeared|started|flaring|spreading)\b"
    r"|\b(?:me|le) (?:dio|salio|salieron|brotaron) (?:una |unos |el |los )?(?:alergia|reaccion|fuegos?|herpes)\b",
    r"\bchills\b|\bescalofrios\b|\b(?:food|drinks?|water|liquid) (?:falls|spills|drips|dribbles|leaks|comes) out\b",
    r"\bfalta de (?:aire|respiracion)\b|\b(?:me|le|se me|se le) falta (?:el )?aire\b|\bahog\w*|\bme (?:desmaye"
    r"|desvaneci)\b|\bdesmay\w*|\bmare[oa]\w*",
    r"\bvomit\w*|\bfiebre\b|\bcalentura\b|\bescalofrios\b|\bsupur\w*|\binfecci\w*|\binfectad\w*",
    r"\bampoll\w*|\bronchas\b|\burticaria\b|\bsarpullido\b|\breaccion(?:es)?\b(?! a)|\banafila\w*",
    r"\bvision (?:borrosa|doble|nublada)\b|\bveo (?:doble|borroso|mal|nublado|manchas)\b|\bno (?:veo|puedo ver)\b",
    r"\bdolor (?:de|en el) pecho\b|\bpalpitaciones\b|\bcorazon (?:me )?(?:late|acelerado|palpita)\w*",
    r"\bentumid\w*|\bentumec\w*|\badormecid\w*|\bhormigueo\b|\bparalizad\w*|\bconvulsi\w*",
    r"\bemergencias?\b|\burgencias\b|\bsala de emergencias?\b|\bambulancia\b|\bal hospital\b|\bderrame\b",
    r"\bme arde\w*|\bardor\b|\bquemadur\w*|\bme queme\b|\bme quemo\b",
    r"\b(?:dolor|duele)\s+(?:muy\s+)?(?:fuerte|intenso|horrible|insoportable|mucho|demasiado)\b|\bmucho dolor\b"
    r"|\bme duele (?:mucho|demasiado|horrible)\b",
    r"\b(?:se (?:esta|me esta) (?:extendiendo|poniendo (?:peor|morad\w*|negr\w*|blanc\w*|azul\w*)))\b"
    r"|\bcada vez (?:peor|mas (?:rojo|hinchad\w*|grande))\b",
    r"\bnecrosis\b|\boclusion\b|\bpus\b|\bdolor de cabeza (?:fuerte|horrible|que no se (?:quita|va))\b",
    r"\b(?:hablo|habla) (?:raro|arrastrando)\b|\bno puedo (?:hablar|tragar|respirar)\b",
    r"\bse me (?:sale|salen|escurre|cae|chorrea) (?:el agua|la comida|la bebida|el liquido|la saliva|agua|liquido)\b"
    r"|\bsale (?:aguita|agua|liquido|pus|sangre)\b",
    r"\bcada (?:hora|dia|vez) (?:mas|peor)\b|\b(?:getting|gets) (?:worse|bigger|darker|redder|more swollen) (?:by"
    r"|every)"
    r" (?:the )?(?:hour|minute|day)\b",
]
# Red flags that escalate even when asked as a question ("will my vision get blurry?", "does it hurt to
# swallow after filler?"): airway, vision, circulation, collapse, emergencies.
ALWAYS_URGENT = re.compile(
    r"swallow|breath|vision|blur|blind|see|double|throat|tongue|chest|heart|911|emergenc|hospital|\ber\b|faint"
    r"|pass|seiz|stroke|anaphyla|allergic|white|blue|gr[ae]y|dusky|mottl|blanch|purple|black|dark|cold|necros"
    r"|occlu|infect|infecc|pus|fever|fiebre|abscess|ooz|respir|tragar|vista|borros|pecho|desmay|emergencia|urgencias",
)
# Pain intensity: skipped when asked as a question ("does it hurt a lot?", see QUESTION_GUARD).
SAFETY_PAIN = re.compile(
    "(?<![\\w'])(?:" + "|".join(
        f"(?:{p})"
        for p in [
            r"\b(?:severe|extreme|intense|excruciating|unbearable|terrible|horrible|awful|really bad|so much|sharp"
            r"|throbbing|worsening|increasing|worse)\s+pain\b",
            r"\bpain\s+(?:[\w']+\s+){0,2}?(?:getting worse|is worse|worse|worsening|increasing|severe|unbearable"
            r"|spreading|won'?t go away|wont go away|not going away|keeps getting)\b",
            r"\b(?:hurts?|hurting|painful|aching|throbbing)\s+(?:[\w']+\s+){0,2}?(?:so much|really bad|so bad|a lot"
            r"|worse|more and more|badly|like crazy)\b",
        ]
    ) + ")"
)
# Pain or a persistent headache mentioned together with a recent treatment (see POST_TREATMENT).
PAIN_AFTER = re.compile(r"\b(?:hurts|hurting|painful|in pain|pain|aching|throbbing|headaches?)\b")
QUESTION_GUARD = re.compile(
    r"(?:\b(?:does|do|will|would|did|can)\s+(?:it|this|that|they|botox|filler|laser|[\w']+)\s+"
    r"|\b(?:is it|is this|will it be|would it be|is it going to be|how|how much|how much does it)\s+)$"
)

PROVIDER_REVIEW = [
    r"\bcandidate\b|\beligib\w*",
    r"\bhow many units\b|(?<!per )(?<!a )\bunits?\b|\bhow many syringes\b|\bsyringes?\b|\bdos(?:e|es|age|ing)\b",
    rf"\bhow much (?:botox|filler|product|tox|{PRODUCT})\s+(?:do|should|would|will|can)\s+i\b",
    r"\bhow many (?:sessions|treatments|rounds)\s+(?:will|would|do|should)\s+i\s+need\b",
    rf"\b{PRODUCT}\s+(?:vs\.?|versus|or)\s+{PRODUCT}\b",
    r"\bwhich (?:one |product |brand |filler |toxin |treatment )?(?:is|would be|works|lasts)\s+"
    r"(?:better|best|right|stronger|longer)\b|\bwhich (?:is|one is) better\b|\bdifference between\b",
    r"\bmedical (?:history|conditions?|issues?)\b|\bpregnan\w*|\btrying to (?:conceive|get pregnant|have a baby)\b",
    r"\bivf\b|\bbreast ?feed\w*|\bnursing\b|\bpost ?partum\b",
    r"\bblood thinners?\b|\b(?:aspirin|ibuprofen|advil|motrin|fish oil|warfarin|coumadin|eliquis|xarelto|plavix)\b",
    r"\b(?:accutane|isotretinoin|tretinoin|retin-?a|retinoids?|retinol|antibiotics?|ozempic|wegovy|semaglutide"
    r"|mounjaro|zepbound|tirzepatide|metformin|prednisone|steroids?|immunosuppress\w*)\b",
    r"\bmedications?\b|\bmeds\b|\bprescri\w*",
    r"(?<!can )(?<!could )(?<!should )(?<!would )(?<!do )\bi\s+(?:take|'m taking|am taking|m taking|started "
    r"taking|was taking|have been taking|'ve been taking|ve been taking)\b",
    r"\b(?:autoimmune|lupus|diabet\w*|keloids?|cold sores?|fever blisters?|herpes|hsv|eczema|psoriasis|vitiligo"
    r"|cancer|chemo\w*|pacemaker|bell'?s palsy|myasthenia|bleeding disorder|epilepsy|thyroid|hypertension"
    r"|high blood pressure|heart condition|multiple sclerosis|rheumatoid)\b",
    r"\ballerg(?:ic|y|ies)\s+to\b|\ballergies\b|\blidocaine\b",
    r"\bsun ?burn\w*|\b(?:darker|dark|tan|tanned|brown|black)\s+skin\b|\bskin of colou?r\b|\bfitzpatrick\b",
    r"\btreatment plan\b|\bplan for me\b",
    r"\bis (?:it|this|that|botox|filler|laser|[\w']+) (?:safe|ok|okay) (?:for|to|if|while|during|with|when|after)\b",
    r"\bis (?:it|this|that) safe\b|\bsafe\s+(?:for|to|if|while|during|with|when|after)\b",
    r"\bside[- ]?effects?\b|\bdown ?time\b|\brecovery\b|\bheal(?:ing)?\s+time\b|\brisks?\b|\bcontraindicat\w*"
    r"|\bcomplications?\b",
    r"\bis (?:it|this|that) (?:normal|expected|ok|okay)\b|\bnormal to\b|\bsupposed to (?:look|feel|be)\b",
    r"\b(?:is|are) (?:[\w']+\s+){1,3}?(?:normal|expected)\b",
    r"\b(?:swelling|swollen|swell)\b(?!\s+of\s+my\s+(?:bank|wallet|ego|heart))",
    r"\bbruis\w*|\bsore(?:ness)?\b|\btender(?:ness)?\b|\bitch\w*|\blumps?\b|\blumpy\b|\bbumps?\b"
    r"|(?<!el )(?<!un )(?<!del )(?<!al )(?<!una )(?<!de )(?<!the )(?<!a )(?<!chemical )\bpeeling\b"
    r"|\bflaking\b|\buneven\b|\basymmetr\w*|\blopsided\b|\bmigraines?\b|\bhyperhidrosis\b|\btmj\b|\bgrinding\b",
    r"\b(?:is|are|i'?m|im|looks?|still|so|pretty)\s+(?:[\w']+\s+){0,2}?red\b",
    r"\bone side (?:of my [\w']+ )?(?:is|looks) (?:bigger|smaller|higher|lower|different|fuller)\b",
    r"\bheadaches?\b|\bbroke out\b|\bbreak ?outs?\b|\bbreaking out\b|\bacne\b",
    r"\bafter ?care\b|\bpre[- ]?care\b|\bwhat should i (?:avoid|do|expect)\b",
    r"\bcan i (?:work ?out|exercise|drink|fly|lie down|wear makeup|go in the sun|tan|shower|sleep)\b",
    r"\b(?:will|would) (?:it|this|that|[\w']+) hurt\b|\bis it going to hurt\b",
    r"\bdoes (?:[\w']+\s+){1,3}?hurt\b|\bwhat can (?:i|you|we) do (?:about|for)\b|\bhow painful\b|\bis it painful\b"
    r"|\bpain level\b",
    r"\bwhat (?:would|do|can|should) you (?:recommend|suggest)\b|\brecommend\w*\s+for\s+(?:me|my)\b",
    r"\bwill (?:it|botox|filler|that|this) (?:work|help)\b|\bdoes (?:it|botox|filler|[\w']+) work for\b",
    r"\bcan (?:botox|filler|laser|a peel|microneedling|[\w']+) (?:help|fix|treat|get rid)\b",
    r"\bhow long (?:does|do|will|would)\s+(?:it|the results?|botox|filler|results|[\w']+)\s+last\b",
    # When it takes effect, how far ahead or apart, combining treatments: a provider's call, not a booking.
    r"\bkick in\b|\btake effect\b|\bstart working\b|\benough time\b"
    r"|\bhow soon (?:will|does|do|would|before|after|until|should)\b"
    r"|\bhow (?:far in advance|far apart|far before|long before|long between|long after)\b|\bwait between\b"
    r"|\bspace (?:them|it|these|those)\b"
    r"|\bspaced out\b|\bsame day (?:as|or)\b|\bat the same time as\b|\bcombin(?:e|ed|ing)\b",
    # Age (a minor needs a clinician and a guardian) and a fresh tan before laser or a peel.
    r"\b(?:i'?m|i am|im|she'?s|he'?s|she is|he is)\s+(?:only\s+)?1[0-7](?=\s*(?:$|[.,!?;]|and\b|but\b|so\b))"
    r"|\b1[0-7] (?:years? old|yo|y/o)\b|\b(?:daughter|son|kid|child|teen\w*|niece|nephew)\b(?: is| who is|'s)? 1[0-7]\b"
    r"|\bunder 18\b|\bfresh tan\b|\b(?:got|have|with) a (?:tan|spray tan)\b|\btann(?:ed|ing)\b",
    r"\bhacer efecto\b|\bsurt\w+ efecto\b|\bmismo dia (?:que|o)\b|\bcuanto tiempo (?:antes|entre|despues)\b"
    r"|\bcombinar\b|\bmenor de edad\b|\btengo 1[0-7] anos\b|\b(?:hija|hijo) (?:de|tiene) 1[0-7]\b"
    r"|\bbroncead[oa]\b|\bme asole\w*",
    r"\bold enough\b|\bage limit\b|\bcan i (?:have|drink) (?:wine|alcohol|a drink|a glass|coffee)\b"
    r"|\bshould i (?:get|do|go with|try)\b(?=.*\bor\b)|\bcan i get [\w'-]+(?: [\w'-]+)? yet\b",
    # Spanish
    r"\bpuede (?:causar|provocar|dar|hacer que)\b|\bes comun\b|\bvoy a tener\b|\bcuanto tiempo dura\b",
    r"\b(?:que|cual) es mejor\b|\bcuantas sesiones\b(?=.*\bnecesito\b)|\bcandidat[oa]\b|\bcuantas unidades\b"
    r"|\bunidades\b|\bdosis\b|\bjeringas?\b|\bembaraz\w*|\blactancia\b"
    r"|\bamamant\w*|\bdando pecho\b|\bmedicamentos?\b|\bmedicinas?\b|\bpastillas?\b|\banticoagulantes?\b"
    r"|\baspirina\b|\bantibioticos?\b|\bdiabet\w*|\bherpes\b|\bfuegos?\b|\blupus\b|\bcancer\b|\bquimio\w*"
    r"|\btiroides\b|\bpresion alta\b|\balergic[oa] a\b|\balergias?\b|\bes seguro\b|\bseguro (?:si|para|durante)\b"
    r"|\befectos? secundarios?\b|\briesgos?\b|\brecuperacion\b|\bes normal\b|\bsera normal\b|\bmoreton\w*"
    r"|\bhinchazon\b|\bhinchad[oa]s?\b|\bme va a doler\b|\bduele\b|\bdolor\b|\bcuanto (?:tiempo )?dura\b"
    r"|\bque me recomienda\w*|\bque (?:tratamiento|producto) (?:es|me)\b|\bpuedo (?:hacer ejercicio|tomar alcohol"
    r"|acostarme|maquillarme|asolearme)\b|\bcuidados? (?:despues|posteriores)\b|\bestoy tomando\b"
    r"|\btomo\s+\w+ (?:para|diario)\b",
]

STAFF_REVIEW = [
    # "the VIP price", "the special price": an event question, not a price question for staff
    r"\bprice ?match\w*|\bhow much\b"
    r"|(?<!vip )(?<!event )(?<!special )(?<!sale )(?<!promo )(?<!member )(?<!night )(?<!bash )(?<!hour )"
    r"(?<!house )(?<!party )\bpric\w*"
    r"|\bcosts?\b|\bquote\b|\bhow expensive\b",
    r"\bwhat do you charge\b",
    r"\bcharge\s+(?:for|per)\b|\bper (?:unit|syringe|session|area)\b|\$\s?\d+",
    r"\brefund\w*|\bmoney back\b|\breimburs\w*|\bcharge ?back\b|\bdispute\b",
    r"\bexceptions?\b|\bwaiv\w*|\bcourtesy\b|\blet it slide\b",
    r"\btransfer\w*",
    r"\b(?:give|gift|share|use)\s+(?:my\s+)?(?:[\w']+\s+)?(?:credits?|package|sessions?|membership)\s+"
    r"(?:to|with)\s+(?:my\s+)?\w+",
    r"\bfinanc\w*|\bpayment plans?\b|\b(?:cherry|care ?credit|affirm|klarna|afterpay)\b|\binstall?ments?\b",
    r"\bdiscount\w*|\bprice ?match\w*|\bmatch (?:their|the|a|that|your competitor'?s?) price\b|\bcoupons?\b",
    r"\bpromo codes?\b|\bcheaper\b|\bbetter (?:deal|price|rate)\b",
    r"\bcomplain\w*|\bunhappy\b|\bnot happy\b|\bnot (?:satisfied|pleased)\b|\bdissatisfied\b|\bdisappoint\w*",
    r"\bupset\b|\brude\b|\bunprofessional\b|\bmanager\b|\b(?:bad|terrible|awful|horrible) (?:experience|service"
    r"|review)\b",
    r"\bovercharg\w*|\b(?:charged|billed) (?:me )?(?:twice|double|wrong|incorrectly)\b|\bdouble[- ]?(?:charged"
    r"|billed)\b",
    r"\bunacceptable\b|\bwaste of money\b|\bnever coming back\b|\bripped off\b|\bscam\b|\bbotched\b"
    r"|\bwasn'?t happy\b|\bnot what i (?:asked|paid) for\b",
    r"\bcancel\w*\s+(?:my\s+|the\s+)?membership\s+(?:[\w']+\s+)?early\b|\bearly\s+(?:cancel\w*|termination|exit)\b",
    r"\bbreak (?:my |the )?contract\b|\b(?:get )?out of (?:my |the )?(?:contract|membership)\b",
    r"\bcancel\w*\s+(?:my\s+|the\s+|our\s+|this\s+|tomorrow'?s\s+|today'?s\s+)?(?:appointment|appt|booking"
    r"|consult\w*|visit|session)\b",
    r"\blate (?:cancel\w*|fee)\b|\bno[- ]show fee\b|\bcancellation fee\b",
    r"\b(?:speak|talk) (?:to|with) (?:a |the )?(?:manager|owner|human|real person|person|someone in charge)\b",
    # Spanish
    r"\bcuanto (?:cuesta|cuestan|es|sale|salen|cobran|cobra|vale|valen)\b|\bprecios?\b|\bcostos?\b|\breembols\w*"
    r"|\bdevol\w* (?:mi |el )?dinero\b|\bdevolucion\b|\bquej\w*|\bgerente\b|\bencargad[oa]\b|\bfinanciamiento\b"
    r"|\ba plazos\b|\bpagos? (?:mensuales|a meses)\b|\bdescuentos?\b|\bcancelar (?:mi |la )?(?:cita|consulta)\b"
    r"|\bcobraron (?:doble|de mas|dos veces)\b|\bhablar con (?:una persona|alguien|el dueno|la duena)\b|\bexcepcion\b"
    r"|\btransferir\b|\bpasarle (?:mis|mi)\b",
]

MEMBER_SUPPORT = [
    r"(?<!not a )(?<!not an )(?<!non-)(?<!non )\bmember(?:ship)?s?\b",
    r"\bmy monthly\b|\bmonthly (?:fee|payment|charge|dues|plan|subscription|draft)\b",
    r"(?<!care )\bcredits?\b(?!\s+cards?)",
    r"\brenew\w*|\bbilling (?:cycle|date|day)\b|\bfreez(?:e|ing)\b|\bdues\b|\bcancellation window\b",
    r"\bpause\w*\s+(?:my\s+|the\s+)?(?:membership|plan|account|subscription)\b|\bsubscription\b",
    r"\breward points\b|\bloyalty\b|\brewards program\b|\ball[eē] (?:points|rewards)\b",
    r"\bmembresias?\b|(?<!no soy )\bmiembros?\b|\bsocia\b|\bcreditos?\b|\brenova\w*|\brenueva\b|\bmensualidad\b"
    r"|\bcuota mensual\b|\bcongelar\b|\bpausar\b|\bsuscripcion\b",
]

BUNDLE_HELP = [
    r"\bpackages?\b|\bbundles?\b|\bseries\b|\bpre-?paid\b|\bpunch ?card\b",
    r"\b(?:sessions?|treatments?|visits?) left\b|\bremaining (?:sessions|treatments|visits)\b",
    r"\bhow many (?:sessions|treatments|visits)\s+(?:do i have|i have|are left|left|remaining|have i used"
    r"|did i buy|i've got|do i still have)\b",
    r"\bpaquetes?\b|\bsesiones (?:que me quedan|restantes|pendientes)\b|\bcuantas sesiones (?:me quedan|tengo)\b"
    r"|\bprepagad\w*|\bme quedan \w+ sesiones\b",
]

EVENT_FOLLOW_UP = [
    r"\bopen[- ]house\b|\bvip\b(?:\s+(?:night|event|evening|party|day))?",
    r"\binjectables?\s+(?:day|night|event|party)\b|\b(?:botox|tox|filler)\s+(?:party|day|night|event|bash)\b",
    r"\blaser\s+(?:special|sale|event|day|night|deal)s?\b",
    r"\bevents?\b|\brsvp\w*|\bparty\b|\bgiveaway\b|\braffle\b|\bgrand opening\b|\btickets?\b|\bworkshop\b",
    r"\b(?:seasonal|holiday|summer|spring|fall|autumn|winter|black friday|cyber monday|valentine'?s?"
    r"|mother'?s day|christmas|new year'?s?|birthday month)\s+(?:special|sale|promo\w*|offer|deal|event)s?\b",
    r"\b[\w']+ (?:skin|glow|beauty|summer|winter|spring|fall|holiday|lip|laser|tox|filler) special\b|\bgalentine'?s\b"
    r"|\b(?:botox|tox|filler|injectables?) (?:bash|happy hour)\b|\bhappy hour\b",
    r"\bdia de (?:inyectables|botox|relleno|belleza)\b|\bnoche de (?:chicas|belleza|botox)\b",
    r"\beventos?\b|\bfiesta\b|\bnoche vip\b|\bcasa abierta\b|\b(?:el|los|su|sus|la|las) especial(?:es)?\b"
    r"|\bpromocion\w*|\bofertas?\b|\brifa\b|\bsorteo\b|\bvi (?:su|el|la|tu) (?:anuncio|publicacion|post|video)\b",
    r"\b(?:the|your|this|that|any|a|monthly|current|month'?s|week'?s)\s+specials?\b",
    r"\bpromo(?:tion)?s?\b(?!\s+codes?)|\b(?:the|this|your|that|an?|special|seasonal|holiday)\s+offer\b",
    r"\b(?:the|this|that|your)\s+deal\b|(?<!se )(?<!me )(?<!le )\bsale\b(?! (?:el|la|agua|aguita|sangre|pus|liquido))"
    r"|\bdeals\b|\bany deal\b",
    r"\b(?:saw|seen|seeing|about|from|in|on)\s+(?:your|the|an?|that|this)\s+(?:[\w']+\s+)?(?:ad|advert\w*|post"
    r"|reel|story|video|commercial|flyer|mailer|newsletter|promo|tiktok|email blast)\b",
]

REBOOKING = [
    r"\btime for (?:my|a|another)\s+\w+",
    r"\b(?:my\s+)?next\s+(?:appointment|appt|session|treatment|round|visit|botox|filler|facial|peel|one)\b",
    r"\bdue for\b|\boverdue\b|\bbook (?:me |it )?again\b|\b(?:come|coming|be)\s+back\s+(?:in|for)\b",
    r"\btouch[- ]?ups?\b|\bsame (?:as|thing as) (?:last time|before)\b|\b(?:like|as) last time\b",
    r"\breschedul\w*|\b(?:move|change|push|switch|bump)\s+(?:my\s+|the\s+)?(?:appointment|appt|booking|time"
    r"|session)\b",
    r"\b(?:move|push|bump|switch|change)\s+(?:it|that|us|me)\s+to\b",
    r"\banother (?:round|session|appointment|treatment|syringe)\b|\bwearing off\b|\bworn off\b",
    # the last treatment has worn off: "the 11s are back", "my botox totally died"
    r"\b(?:11s|elevens|lines|wrinkles|crow'?s feet|crows feet)\s+(?:are|r|came|coming|come)\s+back\b"
    r"|\b(?:my|the)\s+(?:botox|tox|dysport|xeomin|filler)\s+(?:[\w']+\s+)?(?:wore off|died|is gone|ran out)\b",
    r"\bit'?s been\s+(?:[\w']+\s+)?(?:months|weeks)\b",
    r"\b(?:get|do|have|book|schedule|see|try)\s+(?:[\w']+\s+){0,2}?again\b",
    r"\bmy usual\b|\bfollow[- ]?up (?:appointment|appt|visit)\b|\bmaintenance\b",
    r"\brebook\w*|\b(?:move|switch|push|bump|change)\s+(?:my|the|our)\s+(?:[\w'-]+\s+){0,3}?to\s+(?:monday|tuesday"
    r"|wednesday|thursday|friday|saturday|sunday|tomorrow|next|the \d+|\d)",
    r"\b(?:come|coming|get|go|be) back\b|\bback on track\b|\bgot (?:the|your|ur) (?:reminder|text|message)\b"
    r"|\btouched up\b|\b(?:second|2nd|third|3rd|next) (?:session|peel|treatment|round|appointment|appt)\b"
    r"|\bnext available\b|\byes to (?:coming|come)\b",
    r"\breprogram\w*|\b(?:cambiar|mover|pasar) (?:mi |la )?cita\b|\botra vez\b|\bde nuevo\b|\bretoque\b"
    r"|\b(?:ya )?me toca\b|\b(?:siguiente|proxima|proximo|segunda|segundo) (?:cita|sesion|aplicacion|facial|tratamiento"
    r"|retoque)\b"
    r"|\bse me (?:esta quitando|quito)\b|\bregres\w*\b(?! (?:la|su|tu) llamada)|\bvolver\b|\bla vez pasada\b"
    r"|\bmismo horario\b"
    r"|\brecordatorio\b|\bme anotas?\b|\banotame\b|\bapuntame\b"
    r"|\b(?:si|ok|claro|va|dale|perfecto)\b\W*(?:el |para el |este )?(?:lunes|martes|miercoles|jueves|viernes|sabado"
    r"|domingo|manana)\b",
]
AFFIRMATIVE = re.compile(
    r"(?:^|[.!?]\s*)\W*(?P<yes>yes|yeah|yep|yup|ya|yea|sure|ok|okay|k|y|perfect|sounds good|that works|works for me"
    r"|absolutely"
    r"|definitely|si|claro|va|perfecto|esta bien|de acuerdo)\b"
)

BOOKING = [
    r"\bbook\w*|\bappointments?\b|\bappts?\b|\bschedul\w*|\bconsult\w*|\breserv\w*",
    r"\bcome in\b|\b(?:get|fit|squeeze) me in\b|\bcan (?:i|we) get in\b|\bavailab\w*|\bopenings?\b"
    r"|\bopen (?:slots?|spots?|times?)\b"
    r"|\bslots?\b|\bsign me up\b",
    r"\b(?:want|wanted|wanting|like|love|looking|hoping|plan\w*|interested|thinking|considering|dying|keen|ready)"
    r"\s+(?:[\w']+\s+){0,2}?(?:try|trying|get|getting|do|doing|start|starting)\b",
    r"\binterested in\b|\bwhen can i\b|\bdo you (?:have|do|offer)\b|\bcan i (?:get|do)\b",
    r"\bsee (?:dr\.?|doctor|the doctor|a provider|an injector|someone)\b",
    r"\bput me down for\b|\bpencil me in\b|\b(?:wanting|want|need|needing) (?:a |an |some )?[\w'-]+(?: [\w'-]+)? "
    r"(?:before|for) (?:a|my|the|our) (?:trip|wedding|vacation|event|party|birthday|reunion)\b",
    r"\bcitas?\b|\bagend\w*|\breserv\w*|\bconsulta\b|\bdisponib\w*|\btienen (?:espacio|lugar|citas)\b"
    r"|\bhay (?:espacio|lugar)\b|\bpuedo (?:ir|pasar)\b|\bquiero (?:hacerme|ponerme|probar|agendar|una cita|un)\b"
    r"|\bme gustaria\b|\bme interesa\b",
]
# "I want ...", "I'd like ...": booking-ish only when no more specific booking phrase fired.
BOOKING_FALLBACK = re.compile(r"\b(?:i|we|and|just|really)\s+(?:want|wanna|need|would like|'d like|d like)\b")
# "Botox please", "hydrafacial por favor": a request for a service.
SERVICE_PLEASE = re.compile(r"^\W*(?:[\w'-]+\s+){1,3}?(?:please|pls|por favor)\W*$")
# Booking phrases that state an intent to book by themselves (a booking verb or request). Every other booking
# phrase ("do you offer", "can I get", "I want", "me interesa"...) counts only beside a named service, and no
# booking phrase counts beside a staff or provider signal (BOOKING_BLOCK_*).
CLEAR_BOOKING = re.compile(
    r"^(?:book\w*|appointments?|appts?|schedul\w*|reserv\w*|come in|(?:get|fit|squeeze) me in|can (?:i|we) get in"
    r"|availab\w*"
    r"|openings?|open (?:slots?|spots?|times?)|slots?|sign me up|put me down for|pencil me in|citas?|agend\w*"
    r"|disponib\w*|tienen (?:espacio|lugar|citas)|hay (?:espacio|lugar)|puedo (?:ir|pasar)"
    r"|quiero (?:agendar|una cita))$"
)
# Provider signals that keep a booking or rebooking request with a clinician first: eligibility ("can I get
# filler if I had..."), dose, pregnancy, medication, safety and possible-effect questions ("will I bruise?",
# "is redness common after...", "how long will I peel").  The provider rules catch most of these anyway.
BOOKING_BLOCK_PROVIDER = re.compile(
    r"\b(?:can|could|should|may)\s+i\s+(?:still\s+)?(?:get|do|have|book|come in|go)\b[^.?!]{0,40}?\b(?:if|while|since"
    r"|when)\s+(?:i|i'm|i'?ve|my|im)\b"
    r"|\b(?:if|while)\s+(?:i'?m|i am|im)\s+(?:pregnant|nursing|breast ?feeding|on|taking|sick|allergic)\b"
    r"|\bsafe\b|\bcommon\b|\bnormal\b|\bside[- ]?effects?\b|\brisks?\b|\bdown ?time\b|\ballerg\w*|\bpregnan\w*"
    r"|\bbreast ?feed\w*|\bmedic\w*|\bmeds\b|\b(?:ibuprofen|ibuprofeno|tylenol|paracetamol|aspirin|aspirina|advil"
    r"|antibiotics?|antibioticos?)\b|\bdos(?:e|es|age|is)\b|\bhow many units\b|\bcuantas unidades\b|\bcandidat\w*"
    r"|\beligib\w*|\bkick in\b|\btake effect\b|\benough time\b|\bhow soon (?:will|does|before)\b"
    r"|\bhow far (?:in advance|apart)\b"
    r"|\bspace (?:them|it)\b|\bsame day (?:as|or)\b|\bcombin(?:e|ed|ing)\b|\bmismo dia (?:que|o)\b"
    r"|\b(?:i'?m|i am|im|she'?s|he'?s)\s+(?:only\s+)?1[0-7](?=\s*(?:$|[.,!?;]|and\b|but\b|so\b))"
    r"|\b1[0-7] (?:years? old|yo)\b|\bunder 18\b"
    r"|\b(?:daughter|son|kid|child|teen\w*|niece|nephew)\b(?: is| who is|'s)? 1[0-7]\b"
    r"|\b(?:hija|hijo) (?:de|tiene) 1[0-7]\b"
    r"|\b(?:got|have|with) a (?:tan|spray tan)\b|\btann(?:ed|ing)\b|\bmenor de edad\b|\bbroncead[oa]\b"
    r"|\bwill\s+i\s+(?:bruise|swell|peel|scar|be\s+(?:red|swollen|bruised|sore)|need|look)\b"
    r"|\bhow long\s+(?:will|does|do|would|until|till|before|is|am)\b"
    r"|\bcuanto tiempo\s+(?:queda|quedan|dura|duran|tarda|tardan|se|voy|estare|me)\b|\bes (?:seguro|normal|comun)\b"
    r"|\bpuedo\s+(?:tomar|usar|hacerme\b[^.?!]{0,30}?\bsi)\b|\bembaraz\w*|\blactan\w*|\bmedicin\w*|\bpastillas?\b"
)
# Staff signals: a price, money, cancellation, complaint, exception or policy question is for a person even when
# it names a service and a booking word ("I need to cancel my CO2 laser", "my card was charged but I never booked").
BOOKING_BLOCK_STAFF = re.compile(
    r"\bprices?\b|\bpricing\b|\bcosts?\b|\bhow much\b|\bquote\b|\brefund\w*|\bmoney back\b|\breceipts?\b|\binvoices?\b"
    r"|\bitemized\b|\bhsa\b|\bfsa\b|\binsurance\b|\bbill(?:ed|ing)\b|\bcharg(?:e|ed|es|ing)\b|\bdeposits?\b"
    r"|\bcancel(?!l?ations?\b|aciones\b|acion\b)\w*|\bno[- ]show\b|\blate fee\b|\bpolic(?:y|ies)\b|\bexceptions?\b"
    r"|\bcomplain\w*"
    r"|\bgift ?(?:cards?|certificates?)\b|\bcredit balance\b|\bbalance\b|\bdiscount\w*|\bcoupons?\b|\bpromo codes?\b"
    r"|\b(?:special|better|good)\s+(?:deal|price|rate)\b|\bpayment plans?\b|\bfinanc\w*|\bwaive\w*"
    r"|\bcuanto (?:cuesta|cuestan|es|sale|salen|cobran|vale)\b|\bprecios?\b|\bcostos?\b|\breembols\w*|\brecibos?\b"
    r"|\bfacturas?\b|\bcobr(?:o|aron|an|ar|ado|ada)\b|\bdeposito\b|\banticipo\b|\bcancel(?:ar|o|e|en|a|ame|amos)\b"
    r"|\btarjetas? de regalo\b|\bcertificados? de regalo\b|\bpoliticas?\b|\bexcepcion\b|\bquej\w*|\bsaldo\b"
    r"|\bdescuentos?\b|\bcupon\w*|\bseguro medico\b"
)
# Booking phrases explicit enough (with a named service) to outrank event_follow_up.
STRONG_BOOKING = re.compile(
    r"^(?:book\w*|appointments?|appts?|schedul\w*|reserv\w*|openings?|availab\w*|sign me up|(?:get|fit|squeeze)"
    r" me in)$"
)


def _compile(patterns: list[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


RULES: dict[str, re.Pattern] = {
    Route.SAFETY_ESCALATION.value: _compile(SAFETY),
    Route.PROVIDER_REVIEW.value: _compile(PROVIDER_REVIEW),
    Route.STAFF_REVIEW.value: _compile(STAFF_REVIEW),
    Route.MEMBER_SUPPORT.value: _compile(MEMBER_SUPPORT),
    Route.BUNDLE_HELP.value: _compile(BUNDLE_HELP),
    Route.EVENT_FOLLOW_UP.value: _compile(EVENT_FOLLOW_UP),
    Route.REBOOKING.value: _compile(REBOOKING),
    Route.BOOKING.value: _compile(BOOKING),
}


# --- speed: try at a word start only the rules that can begin with its first character ---------------------
_WORD_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789$"


def _alternatives(pattern: str) -> list[str]:
    """Split a pattern at its top-level "|" (outside groups and classes): its alternatives, in order."""
    parts, depth, in_class, escaped, start = [], 0, False, False, 0
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return parts


def _prefixes(items: list, n: int, budget: list[int]) -> set[str] | None:
    """The strings of up to `n` characters a match of this parsed pattern can begin with (a shorter one: the
    match may end there); None when that cannot be told cheaply (any character, a class by category...)."""
    from re import _constants as c

    budget[0] -= 1
    if budget[0] < 0:
        return None
    if n == 0 or not items:
        return {""}
    (op, arg), rest = items[0], list(items[1:])
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return _prefixes(rest, n, budget)
    if op is c.LITERAL or op is c.IN:
        if op is c.LITERAL:
            chars = {chr(arg)}
        else:
            chars = set()
            for kind, value in arg:
                if kind is c.LITERAL:
                    chars.add(chr(value))
                elif kind is c.RANGE:
                    chars.update(chr(x) for x in range(value[0], value[1] + 1))
                else:
                    return None
        tails = _prefixes(rest, n - 1, budget)
        return None if tails is None else {ch + tail for ch in chars for tail in tails}
    if op is c.SUBPATTERN:
        return _prefixes(list(arg[3]) + rest, n, budget)
    if op is c.BRANCH:
        out: set[str] = set()
        for branch in arg[1]:
            found = _prefixes(list(branch) + rest, n, budget)
            if found is None:
                return None
            out |= found
        return out
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        low, high, inner = arg
        out = set()
        if low == 0:
            skipped = _prefixes(rest, n, budget)
            if skipped is None:
                return None
            out |= skipped
        if high == 0:
            return out
        again = [] if high == 1 else [(op, (max(0, low - 1), high if high == c.MAXREPEAT else high - 1, inner))]
        taken = _prefixes(list(inner) + again + rest, n, budget)
        return None if taken is None else out | taken
    return None


def _dispatch(prefix: str, pairs: list[tuple[str, str]]) -> str:
    """Alternatives keyed by the character after `prefix`, as a halving tree of look-aheads: a word start is
    sent to its bucket in a few character-class tests instead of one test per bucket. Buckets never compete
    (different characters), so their order does not matter."""
    if len(pairs) <= 3:
        return "|".join(f"(?={re.escape(prefix + char)})(?:{body})" for char, body in pairs)
    half = len(pairs) // 2
    parts = []
    for group in (pairs[:half], pairs[half:]):
        chars = "".join(re.escape(char) for char, _ in group)
        parts.append(f"(?={re.escape(prefix)}[{chars}])(?:{_dispatch(prefix, group)})")
    return "|".join(parts)


class IndexedRules:
    """One route's rules, tried only at word starts and only those that can begin with the word's first two
    characters (a two-level dispatch inside one regex, so finditer runs it in C). Same matches as the whole
    alternation: alternatives keep their order, and an alternative left out could not match there."""

    def __init__(self, patterns: list[str]):
        from re import _parser

        alternatives = [alt for whole in patterns for alt in _alternatives(whole)]
        keys: list[set[str] | None] = []
        for alt in alternatives:
            found = _prefixes(list(_parser.parse(alt)), 2, [400])
            keys.append(None if found is None or any(not k for k in found) else found)
        branches = []
        for first in _WORD_CHARS:
            seconds: dict[str, list[str]] = {}
            anywhere: list[tuple[int, str]] = []  # alternatives whose second character is not known
            for index, (alt, found) in enumerate(zip(alternatives, keys, strict=True)):
                if found is None or any(len(k) == 1 and k == first for k in found):
                    anywhere.append((index, alt))
                    continue
                for key in found:
                    if key[0] == first:
                        seconds.setdefault(key[1], [])
                        if not seconds[key[1]] or seconds[key[1]][-1] != alt:
                            seconds[key[1]].append(alt)
            if not seconds and not anywhere:
                continue
            if anywhere:  # keep the original order: one flat bucket for this first character
                ordered = [alt for index, (alt, found) in enumerate(zip(alternatives, keys, strict=True))
                           if found is None or any(k[0] == first for k in found)]
                branches.append((first, "|".join(f"(?:{a})" for a in ordered)))
                continue
            inner = _dispatch(first, [(second, "|".join(f"(?:{a})" for a in alts)) for second, alts in seconds.items()])
            branches.append((first, inner))
        self.regex = re.compile("(?<![\\w'])(?:" + _dispatch("", branches) + ")")

    def finditer(self, text: str):
        return self.regex.finditer(text)


INDEXED: dict[str, IndexedRules] = {
    Route.SAFETY_ESCALATION.value: IndexedRules(SAFETY),
    Route.PROVIDER_REVIEW.value: IndexedRules(PROVIDER_REVIEW),
    Route.STAFF_REVIEW.value: IndexedRules(STAFF_REVIEW),
    Route.MEMBER_SUPPORT.value: IndexedRules(MEMBER_SUPPORT),
    Route.BUNDLE_HELP.value: IndexedRules(BUNDLE_HELP),
    Route.EVENT_FOLLOW_UP.value: IndexedRules(EVENT_FOLLOW_UP),
    Route.REBOOKING.value: IndexedRules(REBOOKING),
    Route.BOOKING.value: IndexedRules(BOOKING),
}
