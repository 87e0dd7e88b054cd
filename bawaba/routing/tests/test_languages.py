"""Typical requests in each language form reach the right service directly. None of these texts is in
the training corpus (checked below), so this is what a citizen writing them would get."""

import pytest

from bawaba.routing import training
from bawaba.routing.services import route

CASES = {
    "fr": {
        "algerie-telecom/faults": "Plus d'internet ADSL depuis ce matin, le modem clignote rouge.",
        "algerie-telecom/billing": "Ma facture Idoom de ce trimestre est beaucoup trop chère, je la conteste.",
        "algerie-telecom/subscriptions": "Je voudrais m'abonner à la fibre optique Idoom, quelle est la procédure ?",
        "algerie-poste/mail": "Mon colis envoyé d'Allemagne n'est toujours pas arrivé, le suivi est bloqué.",
        "algerie-poste/financial": "Ma carte Edahabia a été avalée par le distributeur de la poste.",
        "mobilis/network": "Aucun réseau Mobilis sur mon téléphone depuis deux jours, je ne peux pas appeler.",
        "mobilis/customer-account": "J'ai rechargé ma puce Mobilis mais le crédit n'est pas arrivé.",
        "other": "Je voudrais renouveler ma carte d'identité, où faut-il aller ?",
    },
    "ar": {
        "algerie-telecom/faults": "الانترنت تاع الدار مقطوعة والمودام فيه الضوء الأحمر",
        "algerie-telecom/billing": "فاتورة الهاتف الثابت تاع هاد الشهر غالية بزاف",
        "algerie-telecom/subscriptions": "نحب ندير اشتراك في الفيبر للدار",
        "algerie-poste/mail": "الكولي تاعي ما وصلش من شهر والتتبع حابس",
        "algerie-poste/financial": "البطاقة الذهبية تاعي بلوكات في الموزع",
        "mobilis/network": "ما كانش الريزو تاع موبيليس في البورطابل",
        "mobilis/customer-account": "شحنت رصيد موبيليس والرصيد ما وصلش",
        "other": "نحب نجدد بطاقة التعريف الوطنية",
    },
    "dz": {
        "algerie-telecom/faults": "internet ta3 dar m9at3a men sbah, modem rouge",
        "algerie-telecom/billing": "facture idoom ghalia bezaf had le trimestre",
        "algerie-telecom/subscriptions": "n7eb ndir abonnement fibre f dar",
        "algerie-poste/mail": "colis ta3i mazal ma wselch, tracking bloqué",
        "algerie-poste/financial": "carte edahabia ta3i tbloquat f distributeur",
        "mobilis/network": "makach réseau mobilis f tel ta3i",
        "mobilis/customer-account": "rechargit puce mobilis w crédit ma wselch",
        "other": "n7eb njadded carte d'identité",
    },
    "en": {
        "algerie-telecom/faults": "My home ADSL internet has been cut since this morning.",
        "algerie-telecom/billing": "My Idoom landline bill is much too high this quarter.",
        "algerie-telecom/subscriptions": "I'd like to subscribe to Idoom fibre at home.",
        "algerie-poste/mail": "My parcel from Germany still hasn't arrived, tracking is stuck.",
        "algerie-poste/financial": "The post office ATM swallowed my Edahabia card.",
        "mobilis/network": "No Mobilis signal on my phone for two days, I can't make calls.",
        "mobilis/customer-account": "I recharged my Mobilis SIM but the credit didn't arrive.",
        "other": "I want to renew my national ID card.",
    },
}
PARAMS = [(lang, code, text) for lang, texts in CASES.items() for code, text in texts.items()]


def test_cases_are_not_in_the_training_corpus():
    corpus = {" ".join(e.text.lower().split()) for e in training.load_examples()}
    assert not [text for _lang, _code, text in PARAMS if " ".join(text.lower().split()) in corpus]


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "code", "text"), PARAMS, ids=[f"{lang}-{code}" for lang, code, _ in PARAMS])
def test_typical_request_is_routed_to_its_service(orgs, lang, code, text):
    decision = route(subject="", text=text, channel="web")
    assert (decision.service.code, decision.method) == (code, "classifier"), decision
