"""The collision table (issue 16): a keyword inside a sentence is a sentence.

For every keyword of every language, a sentence a learner or facilitator might naturally send that
begins with that word. None of them stops texts, leaves a circle or erases anything, and none of them
loses an open survey answer. Tested through the pure router with hand-built contexts.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from flows import facilitator_words, keys, keywords, survey
from flows.checkin import opening as checkin_opening
from flows.context import (
    CircleView,
    ContactView,
    Context,
    EnrollmentView,
    FacilitatedCircle,
    FacilitatorView,
    MeetingView,
)
from flows.inbound import Inbound
from flows.results import RecordAnswer, RelayToFacilitator
from flows.router import handle

NOW = datetime(2026, 12, 3, 16, 0, tzinfo=timezone.utc)
KC = CircleView(
    "KC42",
    "Kansas City Basics",
    "Central Library",
    "America/Chicago",
    "en",
    12,
    5,
    datetime(2026, 12, 9, 0, 0, tzinfo=timezone.utc),
)
PAST = MeetingView(11, 1, datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc), "scheduled", 4, 1, 0)
NEXT = MeetingView(12, 2, datetime(2026, 12, 9, 0, 0, tzinfo=timezone.utc), "scheduled", 3, 1, 1)
FAC = FacilitatorView(7, (FacilitatedCircle(KC, (PAST, NEXT)),), frozenset({3}))

# (language, keyword as written in flows/keywords.py, a sentence that starts with it)
SENTENCES = [
    # English, including the carriers' words
    ("en", "STOP", "Stop by the front desk if you get there early"),
    ("en", "STOPALL", "Stopall is what my phone typed, sorry, I meant see you Tuesday"),
    ("en", "UNSUBSCRIBE", "Unsubscribe button in the library email doesn't work"),
    ("en", "CANCEL", "Cancel that, I can come after all"),
    ("en", "END", "End of the month works better for me"),
    ("en", "QUIT", "Quit my second job so I have more time now"),
    ("en", "REVOKE", "Revoke is a word from lesson 3 I don't understand"),
    ("en", "OPTOUT", "Optout forms for the photos are at the desk?"),
    ("en", "START", "Start time is 6 right?"),
    ("en", "UNSTOP", "Unstop the sink was my homework this week lol"),
    ("en", "HELP", "Help me find the room please"),
    ("en", "INFO", "Info about parking would be great"),
    ("en", "LANGUAGE", "Language is hard for me but I try"),
    ("en", "JOIN", "Join the video call or come in person?"),
    ("en", "FIND", "Find the room was hard, maybe add a sign"),
    ("en", "FORGET", "Forget about Tuesday, I can come after all"),
    ("en", "LEAVE", "Leave the door open, I'll be a bit late"),
    ("en", "SKIP", "Skip the homework this week?"),
    ("en", "LINK", "Link to the library catalogue please"),
    ("en", "CIRCLES", "Circles like this one help a lot"),
    ("en", "TALLY", "Tally sheet is in my bag"),
    ("en", "MOVE", "Move the chairs into a circle next time"),
    ("en", "MSG", "Msg from Ana: she'll be late"),
    ("en", "HOW", "How many chairs do we need?"),
    ("en", "HERE", "Here is the sign-in sheet from Tuesday"),
    ("en", "CALL", "Call me when you get there please"),
    ("en", "ADD", "Add me to the list for next time"),
    # Spanish
    ("es", "ALTO", "Alto y claro: me encantó la clase"),
    ("es", "BAJA", "Baja la música la próxima vez, por favor"),
    ("es", "PARAR", "Parar a mitad de la clase para el café estuvo bien"),
    ("es", "DETENER", "Detener el video a cada rato ayudó mucho"),
    ("es", "VOLVER", "Volver a estudiar a mi edad no es fácil"),
    ("es", "ALTA", "Alta clase la de hoy, gracias"),
    ("es", "REANUDAR", "Reanudar las clases en enero me viene mejor"),
    ("es", "AYUDA", "Ayuda mucho que la profe hable despacio"),
    ("es", "IDIOMA", "Idioma aparte, lo más difícil es la computadora"),
    ("es", "UNIRSE", "Unirse a la clase fue lo mejor que hice"),
    ("es", "UNIRME", "Unirme al grupo me dio mucha confianza"),
    ("es", "BUSCAR", "Buscar trabajo por internet todavía me cuesta"),
    ("es", "VINCULAR", "Vincular la cuenta del banco fue difícil"),
    ("es", "OLVIDAR", "Olvidar la contraseña me pasa cada semana"),
    ("es", "BORRAR", "Borrar el historial del navegador, ¿cómo se hace?"),
    ("es", "SALIR", "Salir del trabajo temprano es difícil"),
    ("es", "SALTAR", "Saltar de una ventana a otra me confunde"),
    ("es", "CIRCULOS", "Círculos como este debería haber en cada biblioteca"),
    ("es", "CONTEO", "Conteo aparte, el ambiente fue muy bueno"),
    ("es", "CANCELAR", "Cancelar la clase del jueves no fue buena idea"),
    ("es", "MOVER", "Mover las mesas en círculo funcionó muy bien"),
    ("es", "MENSAJE", "Mensaje recibido, nos vemos el martes"),
    ("es", "REPASO", "Repasó la lección conmigo al final, muy amable"),
    ("es", "PRESENTES", "Presentes y puntuales todos hoy, qué alegría"),
    ("es", "LLAMAME", "Llámame mañana por la tarde si puedes"),
    ("es", "LLAMENME", "Llámenme cuando termine la clase"),
    ("es", "AGREGAR", "Agregar más sillas sería buena idea"),
    # French
    ("fr", "ARRET", "Arrêt de bus juste devant, c'est pratique"),
    ("fr", "STOPPER", "Stopper la vidéo toutes les deux minutes, c'est pénible"),
    ("fr", "DESABONNER", "Désabonner quelqu'un d'une chaîne YouTube, on l'a vu aujourd'hui"),
    ("fr", "REPRENDRE", "Reprendre les études à 50 ans, ce n'est pas facile"),
    ("fr", "AIDE", "Aide précieuse de la bibliothécaire aujourd'hui, merci"),
    ("fr", "LANGUE", "Langue maternelle : arabe, c'est pour ça que je lis lentement"),
    ("fr", "REJOINDRE", "Rejoindre le groupe m'a fait du bien"),
    ("fr", "INSCRIPTION", "Inscription à la bibliothèque faite hier, merci"),
    ("fr", "TROUVER", "Trouver la salle n'a pas été facile"),
    ("fr", "RELIER", "Relier l'imprimante au portable, on peut le revoir ?"),
    ("fr", "OUBLIER", "Oublier mon mot de passe, ça m'arrive tout le temps"),
    ("fr", "EFFACER", "Effacer une photo sur le téléphone, comment on fait ?"),
    ("fr", "QUITTER", "Quitter le travail plus tôt le mardi, c'est compliqué"),
    ("fr", "PASSER", "Passer à la bibliothèque samedi, ça vous va ?"),
    ("fr", "CERCLES", "Cercles de lecture aussi, vous en faites ?"),
    ("fr", "DECOMPTE", "Décompte fait à la main, on était neuf"),
    ("fr", "ANNULER", "Annuler la séance de jeudi serait dommage"),
    ("fr", "DEPLACER", "Déplacer les tables en cercle a bien marché"),
    ("fr", "MESSAGE", "Message reçu, à mardi"),
    ("fr", "BILAN", "Bilan positif, tout le monde a participé"),
    ("fr", "PRESENTS", "Présents ou pas, tout le monde a reçu le lien"),
    ("fr", "APPELEZ-MOI", "Appelez-moi après le cours svp"),
    ("fr", "APPELLE-MOI", "Appelle-moi ce soir si tu peux"),
    ("fr", "APPELEZ MOI", "Appelez moi après le cours svp"),
    ("fr", "APPELLE MOI", "Appelle moi ce soir si tu peux"),
    ("fr", "AJOUTER", "Ajouter une pause serait bien"),
    # Portuguese (Brazil)
    ("pt", "PARAR", "Parar no meio da aula para o café foi ótimo"),
    ("pt", "CANCELAR", "Cancelar a aula de quinta foi uma pena"),
    ("pt", "VOLTAR", "Voltar a estudar depois de velha não é fácil"),
    ("pt", "RETOMAR", "Retomar a matéria da semana passada ajudou muito"),
    ("pt", "AJUDA", "Ajuda muito quando a professora fala devagar"),
    ("pt", "LINGUA", "Língua portuguesa eu falo, mas escrever é difícil"),
    ("pt", "IDIOMA", "Idioma não é problema, o difícil é o computador"),
    ("pt", "ENTRAR", "Entrar no e-mail sozinha ainda é difícil pra mim"),
    ("pt", "PARTICIPAR", "Participar do grupo me deu confiança"),
    ("pt", "PROCURAR", "Procurar emprego pela internet ainda me assusta"),
    ("pt", "VINCULAR", "Vincular o e-mail ao celular foi difícil"),
    ("pt", "ESQUECER", "Esquecer a senha acontece toda semana comigo"),
    ("pt", "APAGAR", "Apagar fotos do celular, como faz?"),
    ("pt", "SAIR", "Sair do trabalho mais cedo é complicado"),
    ("pt", "DEIXAR", "Deixar as crianças com alguém é o mais difícil"),
    ("pt", "PULAR", "Pular de uma janela pra outra me confunde"),
    ("pt", "GRUPOS", "Grupos pequenos funcionaram melhor hoje"),
    ("pt", "CONTAGEM", "Contagem feita: vieram nove pessoas"),
    ("pt", "MUDAR", "Mudar o horário para as 18h seria melhor"),
    ("pt", "MENSAGEM", "Mensagem recebida, até terça"),
    ("pt", "BALANCO", "Balanço geral: todo mundo participou"),
    ("pt", "PRESENTES", "Presentes de Natal para a turma, alguém topa?"),
    ("pt", "LIGUE-ME", "Ligue-me depois da aula, por favor"),
    ("pt", "ME LIGA", "Me liga quando sair do trabalho, por favor"),
    ("pt", "ME LIGUE", "Me ligue amanhã de manhã se der"),
    ("pt", "ADICIONAR", "Adicionar mais exercícios seria legal"),
    # Polish
    ("pl", "STOP", "Stop, chwileczkę, o której jutro zaczynamy?"),
    ("pl", "KONIEC", "Koniec zajęć przyszedł za szybko"),
    ("pl", "WZNOW", "Wznów mi proszę dostęp do komputera w bibliotece"),
    ("pl", "POMOC", "Pomoc bibliotekarki była bardzo przydatna"),
    ("pl", "JEZYK", "Język polski jest trudny nawet dla Polaków"),
    ("pl", "DOLACZ", "Dołącz plik do maila – jak to się robi?"),
    ("pl", "POLACZ", "Połącz drukarkę z laptopem – pokażesz jeszcze raz?"),
    ("pl", "ZAPISZ", "Zapisz plik na pulpicie – nie wiem, jak to zrobić"),
    ("pl", "SZUKAJ", "Szukaj, a znajdziesz, jak mówi moja babcia"),
    ("pl", "ZAPOMNIJ", "Zapomnij o wtorku, jednak przyjdę"),
    ("pl", "USUN", "Usuń zdjęcie z telefonu – jak to zrobić?"),
    ("pl", "WYPISZ", "Wypisz mi proszę zaświadczenie o udziale w kursie"),
    ("pl", "OPUSC", "Opuść roletę, bo słońce świeci w ekran"),
    ("pl", "POMIN", "Pomiń mnie w liście obecności w czwartek"),
    ("pl", "GRUPY", "Grupy były za duże"),
    ("pl", "LICZBA", "Liczba osób była mniejsza niż zwykle"),
    ("pl", "ODWOLAJ", "Odwołaj, proszę, moją rezerwację komputera na piątek"),
    ("pl", "PRZENIES", "Przenieś pliki na pendrive'a – tego jeszcze nie umiem"),
    ("pl", "WIADOMOSC", "Wiadomość dostałam, do zobaczenia we wtorek"),
    ("pl", "OCENA", "Ocena z testu mnie zaskoczyła"),
    ("pl", "OBECNI", "Obecni byli prawie wszyscy dzisiaj"),
    ("pl", "ZADZWON", "Zadzwoń do mnie po zajęciach proszę"),
    ("pl", "DODAJ", "Dodaj proszę więcej przykładów na zajęciach"),
    # Swahili
    ("sw", "SITISHA", "Sitisha mkutano wa leo kama mvua itanyesha?"),
    ("sw", "SIMAMISHA", "Simamisha gari karibu na maktaba, kuna nafasi"),
    ("sw", "ANZA", "Anza na somo la barua pepe tafadhali"),
    ("sw", "REJEA", "Rejea somo la wiki iliyopita, sikuelewa vizuri"),
    ("sw", "MSAADA", "Msaada wa mkutubi ulinisaidia sana"),
    ("sw", "SAIDIA", "Saidia kuniambia chumba kiko wapi"),
    ("sw", "LUGHA", "Lugha ya Kiingereza bado ni ngumu kwangu"),
    ("sw", "JIUNGE", "Jiunge nasi kwa chai baada ya darasa"),
    ("sw", "JIUNGA", "Jiunga na wenzako, mwalimu alisema hivyo"),
    ("sw", "TAFUTA", "Tafuta kitabu changu, nadhani nilikisahau maktaba"),
    ("sw", "UNGANISHA", "Unganisha simu na kompyuta ilikuwa ngumu kwangu"),
    ("sw", "SAHAU", "Sahau kuhusu Jumanne, nitakuja"),
    ("sw", "FUTA", "Futa picha kwenye simu, nifanyeje?"),
    ("sw", "ONDOKA", "Ondoka mapema leo inawezekana? Nina zamu kazini"),
    ("sw", "RUKA", "Ruka ukurasa huu, tayari tumeusoma"),
    ("sw", "VIKUNDI", "Vikundi vidogo vilisaidia"),
    ("sw", "IDADI", "Idadi ya watu ilikuwa ndogo leo"),
    ("sw", "GHAIRI", "Ghairi ya wiki iliyopita iliwachanganya watu"),
    ("sw", "HAMISHA", "Hamisha viti karibu na dirisha wiki ijayo"),
    ("sw", "UJUMBE", "Ujumbe umefika, tutaonana Jumanne"),
    ("sw", "TATHMINI", "Tathmini yangu: watu walishiriki vizuri"),
    ("sw", "WALIOFIKA", "Waliofika mapema walisaidia kupanga viti"),
    ("sw", "NIPIGIE", "Nipigie simu kesho asubuhi tafadhali"),
    ("sw", "ONGEZA", "Ongeza viti zaidi wiki ijayo tafadhali"),
    # the old HOW words, still read before a facilitator's own code
    ("es", "COMO", "Como siempre, llegaron tarde"),
    ("fr", "COMMENT", "Comment dire… c'était super"),
    ("pl", "JAK", "Jak zwykle wszyscy przyszli"),
    ("sw", "VIPI", "Vipi, mambo? Darasa lilienda vizuri"),
]
IDS = [f"{lang}:{word}" for lang, word, _ in SENTENCES]

LEARNER = ContactView(name="Amina", language="en", enrollments=(EnrollmentView(KC, "active"),))
LEARNER_SURVEY = {**survey.opening("learner", "enrollment:5", "KC42", 4), "opened": "x", "expires": "y"}
HOW_RATING = survey.opening("how1", "facilitator:7:KC42", "KC42")
HOW_REFLECTION = survey.opening("how1", "facilitator:7:KC42", "KC42", 2)
CHECKIN = checkin_opening("enrollment:5", "KC42", 1)


def run(text, state=None, contact=LEARNER, facilitator=None, lang="en"):
    contact = ContactView(contact.name, lang, contact.opted_out, contact.enrollments)
    ctx = Context(now=NOW, contact=contact, circles={}, facilitator=facilitator)
    return handle(state, Inbound("sms", "+18165550123", text, "SM1", NOW), ctx)


def every_keyword():
    tables = (
        keywords.KEYWORDS,
        keywords.COMMANDS,
        facilitator_words.FACILITATOR_COMMANDS,
        facilitator_words.RETIRED_FACILITATOR_COMMANDS,
    )
    return {
        (lang, word)
        for table in tables
        for by_language in table.values()
        for lang, ws in by_language.items()
        for word in ws
    }


def test_every_keyword_of_every_language_has_a_sentence():
    assert every_keyword() - {(lang, word) for lang, word, _ in SENTENCES} == set()


@pytest.mark.parametrize("lang,word,sentence", SENTENCES, ids=IDS)
def test_the_sentence_starts_with_its_keyword(lang, word, sentence):
    said = word.split(" ")  # a phrase ("ME LIGA") opens the sentence word for word
    assert keywords.words(sentence)[: len(said)] == said and len(keywords.words(sentence)) >= len(said) + 2


@pytest.mark.parametrize("lang,word,sentence", SENTENCES, ids=IDS)
def test_a_learner_sentence_is_relayed(lang, word, sentence):
    result = run(sentence, lang=lang)
    assert [r.key for r in result.replies] == [keys.RELAYED]
    assert result.effects == (RelayToFacilitator("KC42", sentence),)


@pytest.mark.parametrize("lang,word,sentence", SENTENCES, ids=IDS)
def test_a_learner_sentence_answers_the_open_survey(lang, word, sentence):
    result = run(sentence, LEARNER_SURVEY, lang=lang)
    assert result.effects == (RecordAnswer("enrollment:5", "KC42", "learner:next", " ".join(sentence.split())),)
    assert [r.key for r in result.replies] == [keys.SURVEY_DONE]


@pytest.mark.parametrize("lang,word,sentence", SENTENCES, ids=IDS)
def test_a_learner_sentence_answers_the_check_in(lang, word, sentence):
    result = run(sentence, CHECKIN, lang=lang)
    assert result.effects == (RelayToFacilitator("KC42", sentence),)
    assert [r.key for r in result.replies] == [keys.CHECKIN_RELAYED]


@pytest.mark.parametrize("lang,word,sentence", SENTENCES, ids=IDS)
def test_a_facilitator_sentence_answers_the_how_reflection(lang, word, sentence):
    result = run(sentence, HOW_REFLECTION, contact=ContactView(), facilitator=FAC, lang=lang)
    assert result.effects == (
        RecordAnswer("facilitator:7:KC42", "KC42", "how1:reflection", " ".join(sentence.split())),
    )
    assert [r.key for r in result.replies] == [keys.SURVEY_DONE]


@pytest.mark.parametrize("lang,word,sentence", SENTENCES, ids=IDS)
def test_a_facilitator_sentence_keeps_the_how_rating_open(lang, word, sentence):
    result = run(sentence, HOW_RATING, contact=ContactView(), facilitator=FAC, lang=lang)
    assert result.state == HOW_RATING and result.effects == ()
    assert [r.key for r in result.replies] == [keys.HINT_SCALE5, keys.HOW_RATING]


@pytest.mark.parametrize("lang,word,sentence", SENTENCES, ids=IDS)
def test_a_facilitator_sentence_is_no_command(lang, word, sentence):
    result = run(sentence, contact=ContactView(), facilitator=FAC, lang=lang)
    assert result.effects == () and [r.key for r in result.replies] == [keys.FAC_HELP]
