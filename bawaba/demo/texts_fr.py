"""Demo requests written in French, by intended service. Hand-written for the demo (not the routing
corpus), so routing is tested on text it has never seen. Placeholders are filled by
`bawaba.demo.slots` (numbers, places, dates) so that each base text yields many variants."""

TEXTS = {
    "algerie-telecom/faults": [
        ("Internet coupé depuis {days} jours",
         "Bonjour, ma connexion ADSL est coupée depuis {days} jours à {place}. Le voyant DSL du modem clignote "
         "en rouge. J'ai déjà redémarré le modem plusieurs fois. Ligne n° {line}."),
        ("Ligne fixe sans tonalité",
         "Notre téléphone fixe n'a plus de tonalité depuis {date}. Impossible d'appeler ou de recevoir. "
         "Le numéro est le {line}, quartier {place}. Ma mère âgée dépend de cette ligne."),
        ("Fibre très lente le soir",
         "Je suis abonné à la fibre {speed} Mbps mais chaque soir après {evening} le débit tombe sous 2 Mbps. "
         "Les tests de vitesse le confirment depuis {weeks} semaines. Merci de vérifier."),
        ("Coupures répétées de la connexion",
         "La connexion internet se coupe toutes les dix minutes environ, surtout l'après-midi. Ça dure depuis "
         "{days} jours. J'habite à {place}, ligne {line}."),
        ("Câble téléphonique arraché",
         "Suite aux travaux de voirie dans notre rue à {place}, le câble téléphonique a été arraché. Tout "
         "l'immeuble est sans téléphone ni internet depuis {days} jours."),
        ("Modem 4G LTE ne capte plus",
         "Mon modem 4G LTE Idoom affiche « pas de service » depuis {date}. La carte SIM est bien insérée et "
         "mon abonnement est payé. Je suis à {place}."),
        ("Bruit sur la ligne",
         "Il y a un grésillement permanent sur ma ligne fixe {line}, on n'entend presque rien pendant les "
         "appels. Depuis la pluie de la semaine dernière, c'est devenu pire."),
        ("Voyant LOS rouge sur le modem fibre",
         "Le voyant LOS de mon modem fibre est allumé en rouge depuis ce matin à {morning}. Plus d'internet du "
         "tout. J'ai vérifié le câble optique, il n'est pas plié."),
        ("Panne collective dans le quartier",
         "Tout le quartier est sans internet depuis {hours} heures à {place}. Les voisins ont le même "
         "problème. Est-ce qu'il y a une panne générale ? Quand sera-t-elle réparée ?"),
        ("Débit inférieur à l'offre souscrite",
         "J'ai souscrit l'offre {speed} Mbps mais je ne dépasse jamais le quart de ce débit, même la nuit. "
         "Je paie pour un service que je n'ai pas. Ligne {line}."),
        ("Technicien jamais venu",
         "J'ai signalé une panne le {date} et on m'a promis le passage d'un technicien sous 48 heures. "
         "Personne n'est venu et je n'ai toujours pas de connexion. Ligne {line} à {place}."),
        ("Internet coupé après l'orage",
         "Depuis l'orage de {date}, mon internet ne fonctionne plus. Le modem s'allume mais la connexion "
         "ne s'établit jamais. J'ai changé le câble, même résultat."),
        ("Problème de connexion pour télétravail",
         "Je travaille à domicile et ma connexion tombe plusieurs fois par jour depuis {days} jours. "
         "C'est très urgent pour moi. Abonnement fibre à {place}, ligne {line}."),
        ("Appels entrants impossibles",
         "Je peux appeler depuis mon fixe mais personne ne peut me joindre : les correspondants entendent "
         "un message « numéro non attribué ». Numéro {line}."),
        ("Pages web qui ne s'ouvrent pas",
         "Le modem est connecté mais les sites ne s'ouvrent pas, sauf parfois après plusieurs minutes. "
         "Problème de DNS peut-être ? Ça dure depuis {days} jours à {place}."),
        ("Boîtier fibre endommagé",
         "Le boîtier de la fibre dans la cage d'escalier a été cassé. Depuis, trois appartements dont le "
         "mien n'ont plus d'internet. Adresse : cité des {n}00 logements, {place}."),
        ("Ligne coupée sans raison",
         "Ma ligne fixe a été coupée alors que toutes mes factures sont payées. Le {date} tout s'est "
         "arrêté d'un coup. Numéro {line}, merci de rétablir rapidement."),
    ],
    "algerie-telecom/billing": [
        ("Facture trop élevée",
         "Ma facture de {month} s'élève à {amount} DA alors que je paie habituellement 1 600 DA. Je n'ai "
         "rien changé à mon abonnement. Ligne {line}. Je demande une vérification."),
        ("Paiement en ligne non pris en compte",
         "J'ai payé ma facture Idoom de {amount} DA en ligne par carte le {date}, le montant a été débité "
         "mais le site indique toujours « impayé ». J'ai le reçu du paiement."),
        ("Recharge Idoom ADSL non activée",
         "J'ai acheté une carte de recharge Idoom de {amount} DA et saisi le code, mais mon abonnement "
         "n'a pas été prolongé. Le code est maintenant marqué comme utilisé."),
        ("Double facturation",
         "Le mois de {month} m'a été facturé deux fois sur mon espace client. J'ai payé les deux par erreur "
         "({amount} DA chacune). Je souhaite le remboursement ou un avoir."),
        ("Facture non reçue",
         "Je ne reçois plus mes factures depuis {n} mois et maintenant on me menace de coupure. Comment "
         "puis-je obtenir mes factures et le montant exact à payer ? Ligne {line}."),
        ("Frais inconnus sur la facture",
         "Sur ma dernière facture il y a des frais « services additionnels » de {amount_small} DA que je "
         "n'ai jamais demandés. Merci de les retirer. Ligne {line}."),
        ("Ligne suspendue malgré le paiement",
         "J'ai réglé ma facture à l'agence commerciale de {place} le {date} mais la ligne a été suspendue "
         "deux jours plus tard. J'ai le reçu. Merci de rétablir la ligne."),
        ("Demande d'échéancier de paiement",
         "J'ai une dette de {amount} DA suite à une longue maladie. Je voudrais payer en plusieurs fois. "
         "Est-ce possible d'obtenir un échéancier ? Ligne {line}."),
        ("Facturation après résiliation",
         "J'ai résilié mon abonnement ADSL le {date} mais je continue de recevoir des factures de "
         "{amount_small} DA par mois. Je ne dois plus rien."),
        ("Remboursement d'un trop-perçu",
         "Après le changement de mon offre, j'ai payé {amount} DA de trop. L'agence m'a dit de faire une "
         "réclamation. Comment récupérer cet argent ?"),
        ("Consommation téléphonique anormale",
         "Ma facture téléphonique indique des appels internationaux que je n'ai jamais passés, pour "
         "{amount} DA. Personne chez moi n'appelle à l'étranger. Ligne {line}."),
        ("Reçu de paiement introuvable",
         "J'ai besoin d'une attestation de paiement de mes factures de l'année pour mon employeur. "
         "Comment l'obtenir sans me déplacer à {place} ?"),
        ("Paiement par BaridiMob non reconnu",
         "J'ai réglé la facture {month} de ma ligne {line} avec l'application, le débit apparaît bien, "
         "mais Algérie Télécom me relance pour la même facture."),
        ("Changement d'adresse de facturation",
         "Je voudrais que mes factures soient envoyées à ma nouvelle adresse à {place}. Ma ligne {line} "
         "reste au même endroit."),
        ("Montant prélevé incorrect",
         "On m'a prélevé {amount} DA au lieu de {amount_small} DA pour le renouvellement mensuel. Je "
         "demande une correction et le remboursement de la différence."),
        ("Pénalité de retard contestée",
         "Une pénalité de retard a été ajoutée alors que j'ai payé avant la date limite du {date}. "
         "Je conteste cette pénalité, preuves à l'appui."),
    ],
    "algerie-telecom/subscriptions": [
        ("Demande de raccordement à la fibre",
         "Bonjour, je voudrais être raccordé à la fibre optique à {place}. Les voisins de la rue l'ont déjà. "
         "Quelles sont les démarches et les délais ?"),
        ("Nouvelle ligne téléphonique",
         "Je viens d'emménager à {place} et je souhaite une ligne fixe avec internet. Quels documents "
         "dois-je fournir et combien coûte l'installation ?"),
        ("Transfert de ligne après déménagement",
         "Je déménage le mois prochain de {place} vers un autre quartier. Je voudrais garder mon numéro "
         "{line} et transférer mon abonnement internet."),
        ("Passage de l'ADSL à la fibre",
         "Je suis client ADSL depuis {years} ans et on m'a dit que la fibre est disponible dans ma rue. "
         "Comment passer à la fibre sans perdre mon numéro ?"),
        ("Résiliation d'abonnement",
         "Je souhaite résilier mon abonnement internet (ligne {line}) car je quitte le pays. Comment "
         "procéder et faut-il rendre le modem ?"),
        ("Rendez-vous d'installation non respecté",
         "Un rendez-vous d'installation de la fibre était fixé le {date} entre 9h et 12h. J'ai pris congé "
         "et personne n'est venu. Merci de me donner un nouveau rendez-vous."),
        ("Augmentation du débit",
         "Je voudrais passer de l'offre actuelle à {speed} Mbps. Est-ce possible sur ma ligne {line} "
         "et le changement est-il immédiat ?"),
        ("Demande en attente depuis des mois",
         "J'ai déposé une demande de raccordement le {date} à l'agence de {place}. On me répond toujours "
         "« pas de disponibilité ». Y a-t-il une date prévue ?"),
        ("Changement de titulaire",
         "Mon père, titulaire de la ligne {line}, est décédé. Je souhaite mettre l'abonnement à mon nom. "
         "Quels documents faut-il ?"),
        ("Abonnement 4G LTE fixe",
         "Il n'y a pas de câble dans notre village près de {place}. Puis-je avoir la 4G LTE fixe d'Idoom "
         "et quel est le prix du modem ?"),
        ("Suspension temporaire de ligne",
         "Je pars travailler {n} mois à l'étranger. Peut-on suspendre temporairement ma ligne {line} sans "
         "la perdre ?"),
        ("Modem fibre à remplacer",
         "Mon modem fibre est ancien et ne gère pas le wifi 5 GHz. Puis-je l'échanger contre un nouveau "
         "modèle dans le cadre de mon abonnement ?"),
        ("Offre pour une entreprise",
         "Nous ouvrons un cabinet médical à {place} et avons besoin de deux lignes et d'une connexion fibre "
         "professionnelle. Quelles offres existent ?"),
        ("Raccordement d'un logement neuf",
         "Nous avons reçu nos logements AADL à {place} il y a {n} mois mais aucun raccordement téléphonique "
         "n'est fait. Quand les travaux sont-ils prévus ?"),
        ("Changement d'offre refusé",
         "J'ai demandé le passage à une offre inférieure pour payer moins, l'agence a refusé sans "
         "explication. Ligne {line}. Pourquoi ?"),
        ("Suivi de dossier d'abonnement",
         "J'ai un dossier d'abonnement déposé le {date}, on m'a donné un reçu. Je n'ai aucune nouvelle "
         "depuis {weeks} semaines. Où en est-il ?"),
    ],
    "algerie-poste/mail": [
        ("Colis non reçu",
         "J'attends un colis envoyé depuis Oran il y a {weeks} semaines, numéro de suivi {tracking}. "
         "Le suivi n'a pas bougé depuis le {date}."),
        ("Lettre recommandée perdue",
         "J'ai envoyé une lettre recommandée le {date} depuis le bureau de poste de {place}. Le destinataire "
         "ne l'a jamais reçue. Numéro {tracking}."),
        ("Colis international bloqué",
         "Mon colis en provenance de Chine ({tracking}) est indiqué « en douane » depuis {weeks} semaines. "
         "Que dois-je faire pour le récupérer ?"),
        ("Avis de passage sans passage du facteur",
         "J'ai trouvé un avis de passage dans ma boîte alors que j'étais à la maison toute la journée. "
         "Le colis est maintenant au bureau de {place}, loin de chez moi."),
        ("Boîte postale",
         "Je voudrais louer une boîte postale au bureau de poste de {place}. Quel est le tarif annuel et "
         "quels documents sont nécessaires ?"),
        ("Colis abîmé",
         "J'ai reçu mon colis {tracking} ouvert et le contenu était cassé. Comment déposer une réclamation "
         "pour être indemnisé ?"),
        ("Courrier distribué à la mauvaise adresse",
         "Depuis {n} mois, mon courrier est déposé chez un voisin à {place}. Des lettres importantes ont "
         "été perdues. Merci d'informer le facteur."),
        ("Tarif d'envoi vers la France",
         "Combien coûte l'envoi d'un colis de {n} kg vers la France et quel est le délai ? Est-ce que "
         "l'EMS est plus rapide ?"),
        ("Retour à l'expéditeur sans raison",
         "Mon colis a été renvoyé à l'expéditeur avec la mention « destinataire inconnu », alors que "
         "l'adresse à {place} est correcte. Suivi {tracking}."),
        ("Délai de livraison trop long",
         "Une lettre envoyée de {place} vers Alger a mis {weeks} semaines à arriver. Est-ce normal ? Il "
         "s'agissait d'un dossier avec une date limite."),
        ("Colis livré mais jamais reçu",
         "Le suivi de {tracking} indique « livré » le {date} mais je n'ai rien reçu et personne n'a signé. "
         "Je veux savoir qui a signé."),
        ("Pas de distribution dans notre cité",
         "Dans notre cité à {place}, aucun facteur ne passe depuis des mois. Nous devons aller chercher le "
         "courrier au bureau. Pouvez-vous régler ce problème ?"),
        ("Réexpédition du courrier",
         "Je déménage de {place}. Peut-on faire suivre mon courrier vers ma nouvelle adresse pendant "
         "quelques mois ? Quel est le coût ?"),
        ("Frais de douane contestés",
         "On me demande {amount} DA de frais pour retirer un colis contenant des vêtements d'occasion "
         "envoyés par ma sœur. Ce montant est-il justifié ?"),
        ("Bureau de poste fermé aux heures affichées",
         "Le guichet colis du bureau de {place} était fermé à {daytime} alors que les horaires affichent "
         "une ouverture jusqu'à 17h. Je suis venu deux fois pour rien."),
        ("Suivi d'un colis EMS",
         "J'ai envoyé un EMS le {date}, numéro {tracking}. Le destinataire à l'étranger ne l'a pas reçu "
         "et le suivi est bloqué au centre de tri."),
    ],
    "algerie-poste/financial": [
        ("Retrait au DAB non servi",
         "J'ai fait un retrait de {amount} DA au distributeur de {place} le {date}. Les billets ne sont "
         "pas sortis mais mon compte CCP a été débité."),
        ("Carte Edahabia bloquée",
         "Ma carte Edahabia a été bloquée après trois codes erronés. Comment la débloquer rapidement ? "
         "Mon compte CCP : {ccp}."),
        ("Pension non virée",
         "Ma pension de retraite n'est pas arrivée sur mon compte CCP ce mois-ci alors que les autres "
         "retraités l'ont reçue. Compte {ccp}."),
        ("BaridiMob : code d'activation non reçu",
         "Je n'arrive pas à activer l'application BaridiMob, le code par SMS n'arrive jamais sur mon "
         "numéro {mobile}. J'ai essayé plusieurs jours."),
        ("Virement CCP non arrivé",
         "J'ai fait un virement de {amount} DA vers le CCP de mon fils le {date}. L'argent a quitté mon "
         "compte mais il ne l'a pas reçu."),
        ("Demande de carte Edahabia",
         "Je voudrais demander une carte Edahabia pour mon compte CCP. Combien de temps faut-il pour la "
         "recevoir au bureau de {place} ?"),
        ("Salaire non versé",
         "Mon salaire de {month} n'est toujours pas sur mon CCP alors que l'employeur dit l'avoir viré le "
         "{date}. Compte {ccp}."),
        ("Chéquier CCP",
         "J'ai commandé un chéquier postal il y a {weeks} semaines au bureau de {place}. Toujours rien. "
         "Comment savoir où en est la commande ?"),
        ("Mandat non payé",
         "Un mandat de {amount} DA m'a été envoyé le {date}. Au guichet on me dit qu'il n'est pas encore "
         "arrivé. L'expéditeur a le reçu."),
        ("Opération inconnue sur mon compte",
         "Je vois un débit de {amount} DA sur mon relevé CCP que je n'ai pas fait. Ma carte est toujours "
         "avec moi. Je pense à une fraude."),
        ("Carte avalée par le distributeur",
         "Le distributeur de la poste de {place} a avalé ma carte Edahabia hier à {daytime}. Comment la "
         "récupérer ?"),
        ("Paiement en ligne refusé avec Edahabia",
         "Mes paiements en ligne avec la carte Edahabia sont refusés depuis {days} jours alors que j'ai "
         "du solde. Message : « transaction non autorisée »."),
        ("Relevé de compte CCP",
         "J'ai besoin d'un relevé de mon compte CCP des {n} derniers mois pour un dossier de visa. "
         "Puis-je l'obtenir en ligne ?"),
        ("Code secret oublié",
         "J'ai oublié le code secret de ma carte Edahabia. Faut-il refaire une carte ou peut-on "
         "recevoir un nouveau code ?"),
        ("Longue file d'attente et manque de liquidités",
         "Au bureau de poste de {place} il n'y a pas de liquidités depuis {days} jours, on ne peut pas "
         "retirer nos pensions. Quand la situation sera-t-elle réglée ?"),
        ("Ouverture d'un compte CCP",
         "Je voudrais ouvrir un compte CCP pour recevoir ma bourse. Quels papiers faut-il apporter au "
         "bureau de poste ?"),
    ],
    "mobilis/network": [
        ("Pas de réseau à la maison",
         "Depuis {days} jours je n'ai plus de réseau Mobilis chez moi à {place}. Le téléphone affiche "
         "« aucun service ». Mon numéro {mobile}."),
        ("Internet mobile 4G très lent",
         "La 4G de Mobilis est très lente à {place}, impossible même d'envoyer une photo. Pourtant mon "
         "forfait de {gb} Go est actif."),
        ("Appels qui coupent",
         "Mes appels se coupent au bout de quelques secondes depuis {date}. Mes correspondants ne "
         "m'entendent pas. Numéro {mobile}."),
        ("SMS non reçus",
         "Je ne reçois plus les SMS, notamment les codes de la banque. L'envoi fonctionne mais pas la "
         "réception. Ligne {mobile}."),
        ("Roaming ne fonctionne pas",
         "Je suis en voyage en Tunisie et mon téléphone Mobilis ne se connecte à aucun réseau, alors que "
         "j'ai activé l'itinérance avant de partir."),
        ("Zone sans couverture",
         "Notre village près de {place} n'a aucune couverture Mobilis. Les habitants doivent monter sur "
         "la colline pour appeler. Une antenne est-elle prévue ?"),
        ("Connexion internet impossible",
         "Les données mobiles ne fonctionnent plus du tout depuis {hours} heures : l'icône 4G apparaît mais "
         "aucune page ne charge. Numéro {mobile}."),
        ("Réseau saturé le soir",
         "Chaque soir entre {evening} et minuit le réseau est saturé à {place} : appels impossibles et "
         "internet bloqué."),
        ("Passage en 2G uniquement",
         "Mon téléphone reste bloqué en 2G (E) depuis la semaine dernière, même au centre de {place}. "
         "Avant j'avais la 4G partout."),
        ("Antenne en panne",
         "L'antenne de notre quartier à {place} semble en panne depuis {days} jours. Tous les abonnés "
         "Mobilis du quartier sont touchés."),
        ("Appel impossible vers l'international",
         "Je n'arrive pas à appeler ma famille en France depuis mon numéro {mobile}. J'entends un message "
         "d'erreur alors que j'ai du crédit."),
        ("Mauvaise qualité des appels",
         "La voix est hachée pendant les appels, mes interlocuteurs entendent un écho. Cela arrive dans "
         "tout {place} depuis {weeks} semaines."),
        ("Pas de réseau sur l'autoroute",
         "Sur l'autoroute Est-Ouest vers {place}, il y a de longues zones sans aucun réseau. En cas "
         "d'accident on ne peut pas appeler."),
        ("Internet coupé après minuit",
         "Tous les soirs à partir de minuit, internet ne marche plus jusqu'au matin. Les appels passent. "
         "Ligne {mobile}."),
        ("Messages MMS non envoyés",
         "Je n'arrive pas à envoyer de MMS ni de messages vocaux. Les paramètres sont d'origine. Numéro "
         "{mobile}."),
        ("Couverture à l'intérieur des bâtiments",
         "Dans notre immeuble à {place}, le réseau disparaît dès qu'on entre. Nous devons sortir sur le "
         "balcon pour téléphoner."),
    ],
    "mobilis/customer-account": [
        ("Crédit disparu",
         "J'ai rechargé {amount_small} DA hier et ce matin mon solde est à zéro. Je n'ai presque pas "
         "utilisé le téléphone. Numéro {mobile}."),
        ("Code PUK demandé",
         "Ma puce est bloquée et le téléphone demande le code PUK. Comment l'obtenir ? Le numéro est "
         "{mobile}, la puce est à mon nom."),
        ("Services non désirés",
         "Je suis abonné sans l'avoir demandé à des services (horoscope, jeux) qui me prennent "
         "{amount_small} DA chaque semaine. Je veux les désactiver et être remboursé."),
        ("Recharge non reçue",
         "J'ai fait une recharge de {amount_small} DA chez un vendeur le {date}, le vendeur a reçu la "
         "confirmation mais mon solde n'a pas changé. Numéro {mobile}."),
        ("Portabilité vers Mobilis",
         "Je veux passer chez Mobilis en gardant mon numéro actuel d'un autre opérateur. Quelle est la "
         "démarche et combien de temps ça prend ?"),
        ("Remplacement de carte SIM",
         "J'ai perdu mon téléphone avec ma puce Mobilis. Je veux bloquer la ligne {mobile} et obtenir "
         "une nouvelle SIM avec le même numéro."),
        ("Forfait non activé",
         "J'ai souscrit au forfait {gb} Go par USSD, le montant a été déduit mais le forfait n'apparaît "
         "pas. Numéro {mobile}."),
        ("Changement d'offre",
         "Je voudrais passer de l'offre prépayée à un abonnement post-payé avec plus d'internet. "
         "Quelles offres existent et où signer ?"),
        ("Ligne au nom d'une autre personne",
         "Ma ligne {mobile} est encore au nom de l'ancien propriétaire. Je veux la mettre à mon nom. "
         "Quels documents faut-il ?"),
        ("Passage en eSIM",
         "Mon nouveau téléphone accepte l'eSIM. Est-ce que Mobilis propose l'eSIM et comment transférer "
         "mon numéro {mobile} ?"),
        ("Facture post-payée contestée",
         "Ma facture post-payée de {month} est de {amount} DA au lieu de {amount_small} DA. Je n'ai pas "
         "dépassé mon forfait."),
        ("Transfert de crédit échoué",
         "J'ai voulu transférer {amount_small} DA à ma fille, le crédit a été retiré de mon compte mais elle "
         "n'a rien reçu. Numéros {mobile}."),
        ("Points de fidélité",
         "Mes points de fidélité ont disparu de mon compte alors que j'allais les convertir en bonus. "
         "Pouvez-vous vérifier ?"),
        ("Ligne suspendue pour identification",
         "Ma ligne {mobile} a été suspendue pour « identification incomplète ». J'ai pourtant fourni ma "
         "carte d'identité à l'achat de la puce."),
        ("Bonus de recharge non crédité",
         "La promotion annonçait un bonus de 100 % sur les recharges de {amount_small} DA. J'ai rechargé "
         "le {date} et je n'ai reçu aucun bonus."),
        ("Résiliation d'un abonnement post-payé",
         "Je veux résilier mon abonnement post-payé sur le numéro {mobile}. Y a-t-il des frais ? "
         "Dois-je me déplacer à l'agence de {place} ?"),
    ],
    "other": [
        ("Renouvellement du passeport",
         "Bonjour, où déposer mon dossier de renouvellement du passeport biométrique à {place} et "
         "combien de temps faut-il attendre ?"),
        ("Coupure d'électricité",
         "Nous n'avons plus d'électricité depuis {hours} heures dans notre rue à {place}. Qui faut-il "
         "appeler pour signaler la panne ?"),
        ("Eau coupée",
         "Notre quartier à {place} n'a pas d'eau au robinet depuis {days} jours. À qui s'adresser ?"),
        ("Carte Chifa",
         "Ma carte Chifa ne fonctionne plus en pharmacie. Comment la faire mettre à jour à la CNAS ?"),
        ("Acte de naissance",
         "Comment obtenir un extrait d'acte de naissance quand on est né à {place} mais qu'on habite "
         "maintenant dans une autre wilaya ?"),
        ("Logement AADL",
         "J'ai payé la deuxième tranche AADL et je n'ai aucune nouvelle de l'affectation. Qui peut me "
         "renseigner sur mon dossier ?"),
        ("Permis de conduire",
         "Je voudrais échanger mon ancien permis de conduire papier contre le permis biométrique. Quelle "
         "administration s'en occupe ?"),
        ("Facture de gaz élevée",
         "Ma facture Sonelgaz de gaz est de {amount} DA pour le trimestre, c'est trois fois plus que "
         "d'habitude. Comment contester ?"),
        ("Carte grise",
         "J'ai acheté une voiture d'occasion, comment faire la mutation de la carte grise à mon nom ?"),
        ("Bourse universitaire",
         "Ma bourse universitaire n'a pas été versée depuis {n} mois. L'université me dit que ce n'est "
         "pas elle. Où dois-je me renseigner ?"),
        ("Éclairage public",
         "Les lampadaires de notre rue à {place} sont éteints depuis {weeks} semaines. C'est dangereux "
         "la nuit. Qui est responsable ?"),
        ("Ramassage des ordures",
         "Les ordures ne sont plus ramassées dans notre cité à {place} depuis {days} jours. Où faire "
         "une réclamation ?"),
        ("Casier judiciaire",
         "Comment obtenir un extrait de casier judiciaire en ligne pour un dossier d'emploi ?"),
        ("Allocation chômage",
         "Je suis inscrit à l'ANEM et je voudrais savoir pourquoi mon allocation chômage a été "
         "suspendue le mois dernier."),
        ("Impôts et taxe foncière",
         "J'ai reçu un avis de taxe foncière de {amount} DA pour un logement que j'ai vendu l'année "
         "dernière. À qui dois-je m'adresser ?"),
        ("Transport scolaire",
         "Le bus scolaire ne passe plus par notre douar près de {place}. Les enfants marchent {n} km. "
         "Qui contacter ?"),
    ],
}

# Requests whose competent service is not the one the citizen's words point to first: the first
# service (where routing most likely sends them) has to transfer them to the final one.
CROSS = [
    ("algerie-telecom/billing", "algerie-poste/financial",
     "Facture payée par carte, débitée deux fois",
     "J'ai payé ma facture Idoom de {amount} DA avec ma carte Edahabia le {date}. Le compte CCP a été débité "
     "deux fois du même montant. Algérie Télécom dit n'avoir reçu qu'un paiement."),
    ("mobilis/customer-account", "algerie-poste/financial",
     "Recharge achetée avec la carte CCP",
     "J'ai acheté une recharge Mobilis de {amount_small} DA par BaridiMob, l'argent a été retiré du CCP "
     "{ccp} mais la transaction est introuvable chez Mobilis. Il faut retrouver le débit."),
    ("algerie-telecom/billing", "algerie-poste/mail",
     "Factures papier jamais distribuées",
     "Mes factures de téléphone ne me parviennent plus par courrier depuis {n} mois. Algérie Télécom dit "
     "qu'elles sont bien envoyées à mon adresse à {place}, c'est donc la distribution postale."),
    ("algerie-telecom/faults", "mobilis/network",
     "Plus d'internet sur le téléphone à la maison",
     "Chez moi à {place}, internet ne fonctionne plus sur mon téléphone depuis {days} jours alors que "
     "j'ai un forfait 4G. Je pensais que c'était le modem mais je n'utilise que la puce Mobilis."),
    ("algerie-poste/mail", "mobilis/customer-account",
     "Carte SIM envoyée par la poste",
     "J'ai commandé une nouvelle puce Mobilis en ligne livrée par la poste, elle est arrivée mais elle "
     "n'est pas activée. Le numéro {mobile} ne fonctionne pas."),
]
