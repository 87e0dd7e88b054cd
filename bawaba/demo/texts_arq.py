"""Demo requests in Algerian Darija written in Latin letters (with 3 = ع, 7 = ح, 9 = ق and French
words mixed in), as citizens type them on phones. Hand-written; placeholders filled by `slots`."""

TEXTS = {
    "algerie-telecom/faults": [
        ("internet maranich",
         "salam, l'internet ma rahich temchi 3andi men {days} jours f {place}. la lumière DSL ta3 le modem "
         "dir rouge. numéro {line}."),
        ("telephone fixe ma yesonich",
         "le fixe ma fihch la tonalité men {date}, ma n9derch n3ayet. numéro {line}. yemma mrida w "
         "t7taj le téléphone."),
        ("la fibre bati2a bzaf",
         "rani abonné f la fibre {speed} mega bessah f lil men ba3d {evening} la vitesse ta7 bzaf. hadi "
         "{weeks} simanat."),
        ("la connexion tetkoupa",
         "la connexion tetkoupa kol chwiya w terja3, surtout f la3chiya. 3andha {days} jours. ligne {line} "
         "f {place}."),
        ("le câble t9ta3",
         "m3a les travaux ta3 triq f {place} t9ta3 le câble ta3 téléphone. l'immeuble kamel bla "
         "téléphone w bla internet men {days} jours."),
        ("modem 4G ma ychedch réseau",
         "le modem 4G LTE ta3 idoom ykteb pas de service men {date}. la puce f blastha w l'abonnement "
         "mkhelles."),
        ("kayen bruit f la ligne",
         "kayen tchouich dayem f la ligne {line}, ma nesm3och mli7 f les appels. men ba3d echta wellat "
         "kter."),
        ("LOS rouge f le modem",
         "la lumière LOS ta3 le modem fibre rouge men sba7 3la {morning}. ma kach internet nihaiyan."),
        ("panne f le quartier kamel",
         "le quartier kamel bla internet men {hours} sa3a f {place}. les voisins 3andhom nafs le problème. "
         "kayna panne générale ?"),
        ("le débit s9ir 3la l'offre",
         "derna l'offre {speed} mega bessah la vitesse ma tfoutch le quart, 7ata f lil. nkhelles 3la "
         "haja ma 3andich. ligne {line}."),
        ("le technicien ma jach",
         "sarra7t b la panne nhar {date} w galouli le technicien yji f 48 sa3a. 7ata wa7ed ma ja w mazal "
         "ma 3andich internet."),
        ("internet ma temchich ba3d l'orage",
         "men l'orage ta3 {date} l'internet ma rahich temchi. le modem ychel bessah la connexion ma "
         "tetsarach. beddelt le câble w walou."),
        ("connexion l khedma men dar",
         "nekhdem men dar w la connexion tti7 bezzaf f nhar men {days} jours. urgent 3liya. abonnement "
         "fibre f {place}."),
        ("ma ynajmouch y3aytouli",
         "n9der n3ayet men le fixe bessah 7ata wa7ed ma y9der y3ayetli, ysem3o numéro non attribué. "
         "numéro {line}."),
        ("les sites ma yt7elouch",
         "le modem connecté bessah les sites ma yt7elouch ghir ba3d b zaf d9aye9. men {days} jours f "
         "{place}."),
        ("la boîte ta3 fibre mkessra",
         "la boîte ta3 la fibre f eddroj tkessret, w men ba3d 3 appartements bla internet, dari m3ahom. "
         "cité {n}00 logements, {place}."),
        ("la ligne t9at3at bla sebba",
         "la ligne fixe t9at3at w ana mkhelles ga3 les factures. nhar {date} 7bess kolchi. numéro {line}."),
    ],
    "algerie-telecom/billing": [
        ("la facture ghalia bzaf",
         "la facture ta3 {month} jat {amount} DA w 3adatan nkhelles 1600 DA. ma beddelt walou f "
         "l'abonnement. ligne {line}."),
        ("khlest en ligne w mazal impayé",
         "khlest la facture idoom {amount} DA en ligne nhar {date}, ne9sou les drahem bessah le site "
         "mazal ykteb impayé. 3andi le reçu."),
        ("recharge idoom ma t'activatch",
         "chrit carte recharge idoom b {amount} DA w dekhelt le code, bessah l'abonnement ma tzadch. "
         "w le code wella utilisé."),
        ("factura 7esbouha 3liya zouj merrat",
         "le mois ta3 {month} 7esbouh 3liya zouj merrat w khlesthom b zouj b el ghalta ({amount} DA "
         "kol wa7da). n7ab nrejja3 drahmi."),
        ("ma jatnich la facture",
         "ma wsslounich les factures men {n} chhour w doka yhedouni b la coupure. kifach na3ref "
         "le montant exact ? ligne {line}."),
        ("frais ma 3raftahomch",
         "f la facture lekhra kayen frais services additionnels {amount_small} DA ma tlebthomch. n7ab "
         "tna7ouhom."),
        ("la ligne suspendue w ana mkhelles",
         "khlest f l'agence commerciale ta3 {place} nhar {date} w ba3d yomin 7ebset la ligne. 3andi "
         "le reçu."),
        ("n7ab nkhelles b tranches",
         "3andi dette {amount} DA 3la jal maladie twila. n7ab nkhelles b tranches. momkin ? ligne {line}."),
        ("factures ba3d la résiliation",
         "résilit l'abonnement ADSL nhar {date} bessah mazal tjini factures {amount_small} DA kol chhar."),
        ("n7ab nrejja3 le trop-perçu",
         "ba3d ma beddelt l'offre khlest {amount} DA zayda. l'agence galetli dir réclamation. kifach "
         "nrejja3hom ?"),
        ("appels internationaux ma dertahomch",
         "la facture fiha appels internationaux ma dertahomch b {amount} DA. 7ata wa7ed f dar ma "
         "y3ayet l barra."),
        ("attestation de paiement",
         "n7taj attestation de paiement ta3 les factures ta3 el 3am l khedma. kifach njibha bla ma "
         "nroh l {place} ?"),
        ("khlest b baridimob w ma 7esbouhch",
         "khlest la facture ta3 {month} l la ligne {line} b l'application w ne9sou drahem, bessah "
         "algérie télécom mazal tetlob nafs la facture."),
        ("beddel l'adresse ta3 la facture",
         "n7ab les factures yeb3thouhom l l'adresse jdida f {place}. la ligne {line} teb9a f blastha."),
        ("9et3ouli montant ghalet",
         "9et3ouli {amount} DA f blast {amount_small} DA l renouvellement ta3 chhar. n7ab la correction "
         "w trej3ouli la différence."),
        ("pénalité de retard ma3andhach ma3na",
         "zadouli pénalité de retard w ana khlest 9bel la date limite {date}. 3andi la preuve."),
    ],
    "algerie-telecom/subscriptions": [
        ("n7ab la fibre",
         "salam, n7ab nedkhol la fibre optique f {place}. les voisins f zan9a 3andhom. wach les "
         "démarches w 9adach twel ?"),
        ("ligne jdida",
         "sekent jdid f {place} w n7ab ligne fixe m3a internet. wach les documents w 9adach ysswa "
         "l'installation ?"),
        ("transfert ta3 la ligne",
         "rani ra7el chhar jay men {place}. n7ab n7afed 3la numéro {line} w n7awel l'abonnement."),
        ("men ADSL l fibre",
         "ana client ADSL men {years} snin w galouli la fibre wsslet l zan9a. kifach ndouz bla ma "
         "nkhesser numéro ?"),
        ("n7ab nrésilier",
         "n7ab nrésilier l'abonnement internet (ligne {line}) 7it msafer nihaiyan. kifach w lazem "
         "nrejja3 le modem ?"),
        ("rendez-vous ta3 l'installation ma jawch",
         "kan 3andi rendez-vous l'installation ta3 la fibre nhar {date} bin 9 w 12. dit congé w 7ata "
         "wa7ed ma ja. n7ab rendez-vous jdid."),
        ("n7ab nzid la vitesse",
         "n7ab ndouz l l'offre {speed} mega. momkin f la ligne {line} w wach le changement direct ?"),
        ("demande men chhour",
         "dert demande de raccordement nhar {date} f l'agence ta3 {place}. dima ygouli ma kach la "
         "disponibilité. kayen date ?"),
        ("changement ta3 titulaire",
         "baba moul la ligne {line} twaffa rabbi yer7mou. n7ab ndir l'abonnement b smiti. wach les "
         "documents ?"),
        ("abonnement 4G LTE",
         "ma kach câble f douar ta3na 9rib {place}. n9der nedi 4G LTE ta3 idoom w 9adach le modem ?"),
        ("suspension ta3 la ligne",
         "rani msafer nekhdem {n} chhour f barra. n9der n7abes la ligne {line} mou9atan bla ma nkhesserha ?"),
        ("nbeddel le modem fibre",
         "le modem ta3i 9dim w ma y7emelch wifi 5 GHz. n9der nbeddlou b wa7ed jdid ?"),
        ("offre l entreprise",
         "ra7 nefte7ou cabinet médical f {place} w n7tajou zouj lignes w fibre professionnelle. wach "
         "kayen les offres ?"),
        ("logement jdid bla téléphone",
         "khdina logements AADL f {place} men {n} chhour w ma kach raccordement téléphonique. wa9tach "
         "les travaux ?"),
        ("refusaw le changement d'offre",
         "tlebt ndouz l offre 9al bach nkhelles 9al w l'agence refusat bla explication. ligne {line}. 3lach ?"),
        ("suivi ta3 le dossier",
         "3andi dossier abonnement dépositit nhar {date} w 3tawni reçu. ma 3andi 7ata khbar men {weeks} "
         "simanat."),
    ],
    "algerie-poste/mail": [
        ("colis ma wsselch",
         "rani nestenna colis mab3outh men wahran men {weeks} simanat, suivi {tracking}. le suivi ma "
         "t7arrekch men {date}."),
        ("recommandé ddayya3",
         "b3atht lettre recommandée nhar {date} men la poste ta3 {place}. li mab3outha lih ma wssletlouch. "
         "numéro {tracking}."),
        ("colis 7ables f la douane",
         "le colis ta3i jay men la chine ({tracking}) maktoub en douane men {weeks} simanat. wach lazem ndir ?"),
        ("avis de passage w le facteur ma jach",
         "lgit avis de passage f la boîte w ana kont f dar nhar kamel. le colis doka f la poste ta3 "
         "{place} b3id 3liya."),
        ("boîte postale",
         "n7ab nekri boîte postale f la poste ta3 {place}. 9adach f el 3am w wach les documents ?"),
        ("colis mkesser",
         "wsselni le colis {tracking} ma7loul w li fih mkesser. kifach ndir réclamation bach "
         "yta3wdouni ?"),
        ("le courrier yrou7 l blasa okhra",
         "men {n} chhour le courrier ta3i y7ettouh 3and le voisin f {place}. dday3ou lettres mohimmin."),
        ("tarif l fransa",
         "9adach ysswa nab3ath colis {n} kilo l fransa w 9adach ytwel ? l'EMS asra3 ?"),
        ("le colis rja3 l l'expéditeur",
         "le colis rja3 l l'expéditeur maktoub destinataire inconnu, w l'adresse f {place} s7i7a. "
         "suivi {tracking}."),
        ("retard kbir f la livraison",
         "lettre men {place} l dzayer dat {weeks} simanat. kan fiha dossier 3andou délai."),
        ("livré bessah ma wsselnich",
         "le suivi ta3 {tracking} ygoul livré nhar {date} bessah ma wsselni walou w 7ata wa7ed ma signa."),
        ("le facteur ma yjich l cité",
         "f la cité ta3na f {place} le facteur ma yjich men chhour. lazem nrou7ou l la poste. wach el 7al ?"),
        ("n7ab n7awel le courrier",
         "rani ra7el men {place}. n9der n7awel le courrier l l'adresse jdida chi chhour ? 9adach ysswa ?"),
        ("frais de douane ghalyin",
         "tlebou menni {amount} DA bach nnaha colis fih 7wayej mosta3mlin b3athathom khti. ma39oul ?"),
        ("la poste msekra f l'horaire",
         "le guichet colis f la poste ta3 {place} kan msekker 3la {daytime} w l'horaire ygoul 7ata 17h. "
         "jit zouj merrat batel."),
        ("suivi EMS 7ables",
         "b3atht EMS nhar {date} numéro {tracking}. li mab3outh lih f barra ma wsslouch w le suivi "
         "7ables f centre de tri."),
    ],
    "algerie-poste/financial": [
        ("GAB ma khrejch drahem",
         "dert retrait {amount} DA f le GAB ta3 {place} nhar {date}. drahem ma khorjouch bessah le "
         "compte CCP ne9ss."),
        ("carte edahabia bloquée",
         "la carte edahabia tbloquat ba3d 3 codes ghaltin. kifach nfte7ha b zerba ? compte {ccp}."),
        ("la retraite ma dekhlatch",
         "la retraite ta3i ma dekhlatch l CCP had chhar w les autres retraités dekhlelhom. compte {ccp}."),
        ("baridimob code ma yjich",
         "ma 9dertch nactivi baridimob, le code ma yjich f SMS l numéro {mobile}. jarrabt b zaf yamat."),
        ("virement ma wsselch",
         "b3atht {amount} DA l CCP ta3 weldi nhar {date}. drahem khorjou men 3andi bessah howa ma "
         "wsslouch."),
        ("n7ab carte edahabia",
         "n7ab ntleb carte edahabia l compte CCP ta3i. 9adach twel bach tji l la poste ta3 {place} ?"),
        ("la paye ma dekhlatch",
         "la paye ta3 {month} mazal ma dekhlatch l CCP w l'employeur ygoul b3athha nhar {date}. compte {ccp}."),
        ("chéquier CCP",
         "tlebt chéquier men {weeks} simanat f la poste ta3 {place}. mazal ma ja. kifach na3ref win rah ?"),
        ("mandat ma tkhlessch",
         "b3atouli mandat {amount} DA nhar {date}. f le guichet galouli mazal ma wssel. li b3ath 3andou "
         "le reçu."),
        ("opération ma dertahach",
         "chft retrait {amount} DA f le relevé CCP ma dertouch ana. la carte 3andi. ndhon fraude."),
        ("le GAB kla la carte",
         "le GAB ta3 la poste f {place} kla la carte edahabia lbare7 3la {daytime}. kifach nrejja3ha ?"),
        ("paiement en ligne refusé",
         "le paiement en ligne b edahabia refusé men {days} jours w 3andi solde. ykteb transaction non "
         "autorisée."),
        ("relevé ta3 le CCP",
         "n7taj relevé ta3 le compte l {n} chhour lekhrin l dossier visa. n9der njibou en ligne ?"),
        ("nsit le code secret",
         "nsit le code secret ta3 la carte edahabia. lazem n3awed la carte wella n9der nedi code jdid ?"),
        ("ma kach la liquidité",
         "la poste ta3 {place} ma fihach liquidité men {days} jours, ma 9dernach nsahbou la retraite. "
         "wa9tach tet7al ?"),
        ("n7ab nefte7 CCP",
         "n7ab nefte7 compte CCP bach ndekhel la bourse. wach les papiers li lazem njibhom ?"),
    ],
    "mobilis/network": [
        ("ma kach réseau f dar",
         "men {days} jours ma 3andich réseau mobilis f dar f {place}. le portable ykteb aucun service. "
         "numéro {mobile}."),
        ("la 4G bati2a",
         "la 4G ta3 mobilis bati2a bzaf f {place}, ma n9derch 7ata nab3ath tswira. w le forfait {gb} "
         "Go activé."),
        ("les appels yt9ata3ou",
         "les appels yt9ata3ou ba3d chwiya men {date}. li n3aytelhom ma ysem3ounich. numéro {mobile}."),
        ("les SMS ma ywsslouch",
         "ma ywsslounich les SMS, surtout les codes ta3 la banque. nab3ath normal bessah ma nesta9belch. "
         "ligne {mobile}."),
        ("roaming ma yemchich",
         "rani msafer l tounes w le portable ta3 mobilis ma yconnectich l 7ata réseau, w ana activit "
         "le roaming 9bel ma nroh."),
        ("ma kach couverture",
         "douar ta3na 9rib {place} ma fih 7ata couverture mobilis. ennas yetal3ou l djbel bach y3aytou. "
         "kayna antenne ?"),
        ("internet ma temchich",
         "la data ma rahich temchi nihaiyan men {hours} sa3a: tban 4G bessah 7ata page ma tet7al. "
         "numéro {mobile}."),
        ("réseau saturé f lil",
         "kol lila men {evening} 7ata nos lil le réseau saturé f {place}: ma n9derch n3ayet w internet "
         "7ablsa."),
        ("b9it ghir f 2G",
         "le portable 7ables f 2G men simana li fatet, 7ata f centre ta3 {place}. 9bel kan 3andi 4G "
         "f kol blasa."),
        ("l'antenne en panne",
         "l'antenne ta3 le quartier f {place} ban3 en panne men {days} jours. ga3 les abonnés mobilis "
         "f le quartier 3andhom le problème."),
        ("ma n9derch n3ayet l barra",
         "ma n9derch n3ayet l familti f fransa men numéro {mobile}. nesma3 message d'erreur w 3andi crédit."),
        ("la voix tetkoupa",
         "la voix tetkoupa f les appels w li nahdar m3ahom ysem3ou écho. f {place} kamel men {weeks} "
         "simanat."),
        ("ma kach réseau f l'autoroute",
         "f l'autoroute est-ouest l {place} kayen masafat twal bla réseau. ki tsra accident ma "
         "n9drouch n3aytou."),
        ("internet tetkoupa ba3d nos lil",
         "kol lila men nos lil 7ata sba7 l'internet ma temchich. les appels yfoutou. ligne {mobile}."),
        ("MMS ma ytb3thouch",
         "ma n9derch nab3ath MMS wala les messages vocaux. les paramètres d'origine. numéro {mobile}."),
        ("réseau ma ydkholch l l'immeuble",
         "f l'immeuble ta3na f {place} le réseau yrou7 ki nedkhlou. lazem nokhorjou l balcon bach n3aytou."),
    ],
    "mobilis/customer-account": [
        ("le crédit tar",
         "flexit {amount_small} DA lbare7 w sba7 lgit solde zéro. ma sta3meltch le portable ta9riban. "
         "numéro {mobile}."),
        ("n7taj le code PUK",
         "la puce tbloquat w le portable ytleb code PUK. kifach njibou ? numéro {mobile} w la puce b smiti."),
        ("services ma tlebthomch",
         "rani abonné bla ma ntleb f services (horoscope, jeux) yaklouli {amount_small} DA kol simana. "
         "n7ab n7absehom w nrejja3 drahmi."),
        ("le flexy ma wsselch",
         "dert flexy {amount_small} DA 3and wa7ed nhar {date}, howa jatou la confirmation bessah le solde "
         "ma tbeddelch. numéro {mobile}."),
        ("portabilité l mobilis",
         "n7ab ndouz l mobilis w n7afed 3la numéro ta3i men opérateur akhor. kifach w 9adach twel ?"),
        ("puce jdida",
         "dayya3t le portable m3a la puce mobilis. n7ab n7abes la ligne {mobile} w nedi puce jdida b "
         "nafs numéro."),
        ("le forfait ma t'activach",
         "dert le forfait {gb} Go b USSD, ne9sou drahem bessah le forfait ma banch. numéro {mobile}."),
        ("nbeddel l'offre",
         "n7ab ndouz men prépayé l abonnement post-payé fih internet kter. wach kayen les offres w win "
         "nsigni ?"),
        ("la ligne b smiya ta3 wa7ed akhor",
         "la ligne {mobile} mazal b smiya ta3 mol'ha le9dim. n7ab ndirha b smiti. wach les documents ?"),
        ("eSIM",
         "le portable jdid y9bel eSIM. mobilis 3andha eSIM w kifach n7awel numéro {mobile} ?"),
        ("la facture post-payée ghalta",
         "la facture ta3 {month} jat {amount} DA f blast {amount_small} DA. ma fettch le forfait ta3i."),
        ("transfert de crédit ma wsselch",
         "7abit n7awel {amount_small} DA l benti, ne9ss men 3andi bessah hiya ma wsselha walou."),
        ("les points de fidélité ghabou",
         "les points de fidélité ta3i ghabou men le compte w ana kont ra7 nbeddelhom b bonus. tchoufou ?"),
        ("la ligne suspendue 3la l'identification",
         "la ligne {mobile} tsuspendat 3la jal identification incomplète. w ana 3tit la carte d'identité "
         "ki chrit la puce."),
        ("le bonus ma jach",
         "la promo galet bonus 100% 3la flexy {amount_small} DA. flexit nhar {date} w ma jani 7ata bonus."),
        ("n7ab nrésilier le post-payé",
         "n7ab nrésilier l'abonnement post-payé ta3 numéro {mobile}. kayen frais ? lazem nroh l "
         "l'agence ta3 {place} ?"),
    ],
    "other": [
        ("passeport",
         "salam, win ndeposi le dossier ta3 renouvellement passeport biométrique f {place} w 9adach "
         "nestenna ?"),
        ("ma kach dho",
         "ma 3andnach l'électricité men {hours} sa3a f zan9a ta3na f {place}. l man n3aytou ?"),
        ("ma kach l'ma",
         "le quartier ta3na f {place} ma fihch l'ma f robinet men {days} jours. l man nroh ?"),
        ("carte chifa",
         "la carte chifa ma rahich temchi f la pharmacie. kifach ndirha mise à jour f la CNAS ?"),
        ("extrait de naissance",
         "kifach njib extrait de naissance ila zedt f {place} w rani sakn f wilaya okhra ?"),
        ("logement AADL",
         "khlest la deuxième tranche AADL w ma 3andi 7ata khbar 3la l'affectation. chkoun y9der yfahemni ?"),
        ("permis de conduire",
         "n7ab nbeddel le permis 9dim b le permis biométrique. anahi l'administration ?"),
        ("facture ta3 gaz ghalia",
         "la facture ta3 gaz ta3 sonelgaz jat {amount} DA l trimestre, 3 merrat kter men 3ada. kifach "
         "ncontesti ?"),
        ("carte grise",
         "chrit tomobil d'occasion, kifach ndir la mutation ta3 carte grise b smiti ?"),
        ("la bourse ta3 la fac",
         "la bourse ta3 l'université ma dekhlatch men {n} chhour. la fac tgoul machi hiya. win nsa9si ?"),
        ("l'éclairage public",
         "les lampadaires ta3 zan9a f {place} tafyin men {weeks} simanat. khatar f lil. chkoun responsable ?"),
        ("ezbel ma yetna7ach",
         "ezbel ma yetna7ach f la cité ta3na f {place} men {days} jours. win nchki ?"),
        ("casier judiciaire",
         "kifach njib casier judiciaire en ligne l dossier khedma ?"),
        ("allocation chômage",
         "rani inscrit f l'ANEM w n7ab na3ref 3lach l'allocation chômage 7ebset chhar li fat."),
        ("taxe foncière",
         "jani avis taxe foncière {amount} DA 3la logement bi3tou el 3am li fat. l man nroh ?"),
        ("transport scolaire",
         "le bus scolaire ma wellach yfout 3la douar 9rib {place}. edrari ymchiw {n} km. l man n3aytou ?"),
    ],
}

CROSS = [
    ("algerie-telecom/billing", "algerie-poste/financial",
     "khlest la facture b la carte w ne9sou zouj merrat",
     "khlest la facture idoom {amount} DA b carte edahabia nhar {date}. le CCP ne9ss zouj merrat. algérie "
     "télécom tgoul jaha paiement wa7ed."),
    ("mobilis/customer-account", "algerie-poste/financial",
     "flexy b baridimob",
     "chrit flexy mobilis {amount_small} DA b baridimob, drahem khorjou men CCP {ccp} bessah mobilis "
     "ma lgatch l'opération."),
    ("algerie-telecom/billing", "algerie-poste/mail",
     "les factures papier ma ywsslouch",
     "les factures ta3 téléphone ma wellawch ywsslouni f courrier men {n} chhour. algérie télécom tgoul "
     "rahom mab3outhin l l'adresse f {place}."),
    ("algerie-telecom/faults", "mobilis/network",
     "internet ma temchich f le portable f dar",
     "f dar f {place} internet ma temchich f le portable men {days} jours w 3andi forfait 4G. dhannit "
     "le modem bessah nesta3mel ghir la puce mobilis."),
    ("algerie-poste/mail", "mobilis/customer-account",
     "la puce jat b la poste",
     "tlebt puce mobilis en ligne w jat b la poste, bessah ma rahich activée. numéro {mobile} ma yemchich."),
]
