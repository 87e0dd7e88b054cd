"""What staff and citizens write after a demo request is created: public replies by service and
language, questions that wait for the citizen, internal notes, citizen follow-ups, transfer reasons.
Hand-written for the demo. Replies exist in fr/ar/en; Darija requests are answered in French or
Arabic, as agents do."""

PROGRESS = {
    "algerie-telecom/faults": {
        "fr": ["Bonjour, votre signalement est enregistré. Un test à distance de la ligne {line} montre un défaut ; "
               "une intervention technique est programmée.",
               "Bonjour, l'équipe technique de votre secteur est informée de la panne. Nous revenons vers vous dès "
               "l'intervention terminée."],
        "ar": ["مرحبا، تم تسجيل بلاغكم. الفحص عن بعد للخط {line} يبين وجود عطب، وتمت برمجة تدخل تقني.",
               "مرحبا، تم إعلام الفريق التقني لقطاعكم بالعطب. سنعود إليكم فور انتهاء التدخل."],
        "en": ["Hello, your report is recorded. A remote test of line {line} shows a fault; a technician visit is "
               "scheduled.",
               "Hello, the technical team for your area has been informed. We will get back to you once the "
               "repair is done."],
    },
    "algerie-telecom/billing": {
        "fr": ["Bonjour, nous avons transmis votre réclamation au service facturation pour vérification de votre "
               "compte. Aucune coupure ne sera faite pendant l'examen.",
               "Bonjour, le paiement est en cours de rapprochement avec la banque. Merci de conserver votre reçu."],
        "ar": ["مرحبا، تم تحويل شكواكم إلى مصلحة الفوترة للتحقق من حسابكم. لن يتم قطع الخط أثناء الدراسة.",
               "مرحبا، الدفع قيد المطابقة مع البنك. يرجى الاحتفاظ بالوصل."],
        "en": ["Hello, your claim has been passed to billing to check your account. The line will not be cut "
               "while it is reviewed.",
               "Hello, the payment is being reconciled with the bank. Please keep your receipt."],
    },
    "algerie-telecom/subscriptions": {
        "fr": ["Bonjour, une étude de faisabilité est lancée pour votre adresse. Vous serez contacté pour fixer "
               "un rendez-vous.",
               "Bonjour, votre dossier est en cours de traitement à l'agence commerciale. Nous vous tenons informé."],
        "ar": ["مرحبا، تم إطلاق دراسة إمكانية الربط لعنوانكم. سيتم الاتصال بكم لتحديد موعد.",
               "مرحبا، ملفكم قيد المعالجة في الوكالة التجارية. سنبقيكم على اطلاع."],
        "en": ["Hello, a feasibility study for your address has started. You will be called to set an "
               "appointment.",
               "Hello, your file is being processed by the sales office. We will keep you informed."],
    },
    "algerie-poste/mail": {
        "fr": ["Bonjour, une enquête est ouverte sur l'envoi {tracking} auprès du centre de tri. Le délai "
               "habituel de réponse est de quelques jours.",
               "Bonjour, nous avons demandé au bureau distributeur de vérifier la tournée du facteur."],
        "ar": ["مرحبا، تم فتح تحقيق حول الإرسالية {tracking} لدى مركز الفرز. مدة الرد المعتادة بضعة أيام.",
               "مرحبا، طلبنا من مكتب التوزيع التحقق من جولة ساعي البريد."],
        "en": ["Hello, an inquiry into item {tracking} has been opened with the sorting centre. It usually "
               "takes a few days.",
               "Hello, we have asked the delivery office to check the postman's round."],
    },
    "algerie-poste/financial": {
        "fr": ["Bonjour, une demande de vérification de l'opération a été envoyée au centre des chèques postaux. "
               "Le traitement prend en général 5 jours ouvrables.",
               "Bonjour, votre demande est transmise au service monétique. Ne communiquez jamais votre code secret."],
        "ar": ["مرحبا، تم إرسال طلب التحقق من العملية إلى مركز الصكوك البريدية. المعالجة تستغرق عادة 5 أيام عمل.",
               "مرحبا، تم تحويل طلبكم إلى مصلحة النقديات. لا تعطوا رقمكم السري لأي أحد."],
        "en": ["Hello, a request to check the transaction has been sent to the postal cheque centre. It usually "
               "takes 5 working days.",
               "Hello, your request has been passed to the card service. Never share your PIN."],
    },
    "mobilis/network": {
        "fr": ["Bonjour, nous avons signalé le problème de couverture à l'équipe réseau de votre région. Des "
               "mesures vont être faites sur place.",
               "Bonjour, un incident est en cours sur un site de votre zone ; les équipes y travaillent."],
        "ar": ["مرحبا، تم إبلاغ فريق الشبكة في منطقتكم بمشكل التغطية. ستجرى قياسات في عين المكان.",
               "مرحبا، يوجد عطل في أحد مواقع منطقتكم والفرق تعمل على إصلاحه."],
        "en": ["Hello, we have reported the coverage problem to the network team for your region. Measurements "
               "will be taken on site.",
               "Hello, there is an incident on a site in your area; the teams are working on it."],
    },
    "mobilis/customer-account": {
        "fr": ["Bonjour, nous vérifions l'historique de consommation de la ligne {mobile}. Nous revenons vers "
               "vous rapidement.",
               "Bonjour, votre demande est enregistrée et transmise au service client."],
        "ar": ["مرحبا، نحن بصدد التحقق من سجل استهلاك الخط {mobile}. سنعود إليكم قريبا.",
               "مرحبا، تم تسجيل طلبكم وتحويله إلى خدمة الزبائن."],
        "en": ["Hello, we are checking the usage history of line {mobile}. We will get back to you shortly.",
               "Hello, your request is recorded and passed to customer service."],
    },
    "other": {
        "fr": ["Bonjour, nous recherchons l'administration compétente pour votre demande."],
        "ar": ["مرحبا، نحن بصدد البحث عن الإدارة المختصة بطلبكم."],
        "en": ["Hello, we are looking for the administration in charge of your request."],
    },
}

RESOLVED = {
    "algerie-telecom/faults": {
        "fr": ["Bonjour, le technicien est intervenu et la ligne {line} fonctionne de nouveau. Merci de nous "
               "signaler tout nouveau problème.",
               "Bonjour, le câble endommagé a été remplacé et la connexion est rétablie."],
        "ar": ["مرحبا، تدخل التقني والخط {line} يعمل من جديد. يرجى إعلامنا بأي مشكل آخر.",
               "مرحبا، تم تعويض الكابل المتضرر وعاد الاتصال."],
        "en": ["Hello, the technician has been and line {line} works again. Please tell us if anything else "
               "goes wrong.",
               "Hello, the damaged cable has been replaced and the connection is restored."],
    },
    "algerie-telecom/billing": {
        "fr": ["Bonjour, après vérification, un avoir de {amount_small} DA a été appliqué sur votre prochaine "
               "facture.",
               "Bonjour, votre paiement est bien enregistré et votre compte est à jour."],
        "ar": ["مرحبا، بعد التحقق تم تطبيق تخفيض بـ{amount_small} دج على فاتورتكم القادمة.",
               "مرحبا، تم تسجيل دفعكم وحسابكم محين."],
        "en": ["Hello, after checking, a credit of {amount_small} DA has been applied to your next bill.",
               "Hello, your payment is recorded and your account is up to date."],
    },
    "algerie-telecom/subscriptions": {
        "fr": ["Bonjour, votre demande est validée. Le rendez-vous d'installation est fixé ; vous recevrez un SMS "
               "de confirmation.",
               "Bonjour, le changement est effectué sur votre abonnement."],
        "ar": ["مرحبا، تمت الموافقة على طلبكم. تم تحديد موعد التركيب وستصلكم رسالة تأكيد.",
               "مرحبا، تم تنفيذ التغيير على اشتراككم."],
        "en": ["Hello, your request is approved. The installation appointment is set; you will get an SMS "
               "confirmation.",
               "Hello, the change has been made to your subscription."],
    },
    "algerie-poste/mail": {
        "fr": ["Bonjour, votre envoi a été retrouvé et sera distribué dans les prochains jours.",
               "Bonjour, le bureau distributeur a corrigé l'adresse de la tournée. Merci de votre patience."],
        "ar": ["مرحبا، تم العثور على إرساليتكم وسيتم توزيعها في الأيام القادمة.",
               "مرحبا، صحح مكتب التوزيع عنوان الجولة. شكرا على صبركم."],
        "en": ["Hello, your item has been found and will be delivered in the coming days.",
               "Hello, the delivery office has corrected the round. Thank you for your patience."],
    },
    "algerie-poste/financial": {
        "fr": ["Bonjour, l'opération a été régularisée : le montant de {amount} DA est recrédité sur votre compte.",
               "Bonjour, votre carte est débloquée. Vous pouvez l'utiliser dès maintenant."],
        "ar": ["مرحبا، تمت تسوية العملية وأعيد المبلغ {amount} دج إلى حسابكم.",
               "مرحبا، تم فتح بطاقتكم ويمكنكم استعمالها الآن."],
        "en": ["Hello, the transaction has been corrected: {amount} DA is credited back to your account.",
               "Hello, your card is unblocked and can be used right away."],
    },
    "mobilis/network": {
        "fr": ["Bonjour, l'incident sur le site de votre zone est réparé et le service est rétabli.",
               "Bonjour, les paramètres réseau de votre ligne ont été réinitialisés ; redémarrez le téléphone."],
        "ar": ["مرحبا، تم إصلاح العطل في موقع منطقتكم وعادت الخدمة.",
               "مرحبا، تمت إعادة ضبط إعدادات الشبكة لخطكم، يرجى إعادة تشغيل الهاتف."],
        "en": ["Hello, the incident on your area's site is fixed and service is restored.",
               "Hello, your line's network settings were reset; please restart your phone."],
    },
    "mobilis/customer-account": {
        "fr": ["Bonjour, les services non sollicités sont désactivés et {amount_small} DA ont été recrédités.",
               "Bonjour, votre demande est traitée ; la modification est active sur la ligne {mobile}."],
        "ar": ["مرحبا، تم إلغاء الخدمات غير المطلوبة وإرجاع {amount_small} دج إلى رصيدكم.",
               "مرحبا، تمت معالجة طلبكم والتعديل مفعل على الخط {mobile}."],
        "en": ["Hello, the unwanted services are turned off and {amount_small} DA has been credited back.",
               "Hello, your request is done; the change is active on line {mobile}."],
    },
    "other": {
        "fr": ["Bonjour, cette démarche ne relève pas des opérateurs du centre. Adressez-vous à l'APC ou à la "
               "daïra de {place}, ou au service concerné (Sonelgaz, ADE, CNAS, AADL) ; leurs numéros sont sur "
               "leur site.",
               "Bonjour, votre demande concerne une autre administration. Nous vous conseillons de contacter "
               "directement le service compétent de votre wilaya avec ce numéro de suivi."],
        "ar": ["مرحبا، هذا الإجراء لا يخص متعاملي المركز. يرجى التوجه إلى البلدية أو الدائرة في {place} أو إلى "
               "المصلحة المعنية (سونلغاز، الجزائرية للمياه، الضمان الاجتماعي، عدل).",
               "مرحبا، طلبكم يخص إدارة أخرى. ننصحكم بالاتصال مباشرة بالمصلحة المختصة في ولايتكم."],
        "en": ["Hello, this is not handled by the centre's operators. Please contact the APC or daïra of "
               "{place}, or the service concerned (Sonelgaz, ADE, CNAS, AADL).",
               "Hello, your request concerns another administration. Please contact the competent office in "
               "your wilaya directly."],
    },
}

ASK_INFO = {
    "fr": ["Bonjour, pour avancer nous avons besoin de la copie de votre pièce d'identité et du dernier reçu. "
           "Merci de répondre à ce message.",
           "Bonjour, pouvez-vous préciser l'adresse exacte et un créneau où vous êtes joignable ?",
           "Bonjour, merci de nous envoyer une photo du reçu ou du message d'erreur affiché."],
    "ar": ["مرحبا، لمتابعة طلبكم نحتاج نسخة من بطاقة التعريف وآخر وصل. يرجى الرد على هذه الرسالة.",
           "مرحبا، هل يمكنكم تحديد العنوان بالضبط ووقت يمكن الاتصال بكم فيه؟",
           "مرحبا، يرجى إرسال صورة الوصل أو رسالة الخطأ الظاهرة."],
    "en": ["Hello, to proceed we need a copy of your ID and the latest receipt. Please reply to this message.",
           "Hello, could you give the exact address and a time when we can reach you?",
           "Hello, please send us a photo of the receipt or of the error message."],
}

CITIZEN_FOLLOW_UP = {
    "fr": ["Voici les informations demandées. Je suis joignable le matin.",
           "Je vous envoie le reçu, merci de faire vite.",
           "Toujours rien depuis votre dernier message, le problème continue.",
           "L'adresse exacte : bâtiment B, 2e étage, porte gauche."],
    "ar": ["هذه هي المعلومات المطلوبة. نكون متاحا في الصباح.",
           "بعثتلكم الوصل، من فضلكم بالزربة.",
           "مازال ما تبدل والو من الرسالة الأخيرة، المشكل مازال.",
           "العنوان بالضبط: العمارة ب، الطابق الثاني، الباب على اليسار."],
    "arq-Latn": ["ha homa les informations. rani disponible f sba7.",
                 "b3athtelkom le reçu, b zerba 3afakom.",
                 "mazal walou men message lekher, le problème mazal.",
                 "l'adresse: bâtiment B, 2ème étage, la porte 3la lisser."],
    "en": ["Here is the information you asked for. I can be reached in the morning.",
           "I am sending the receipt, please be quick.",
           "Still nothing since your last message, the problem continues.",
           "Exact address: building B, 2nd floor, door on the left."],
}

CITIZEN_REOPEN = {
    "fr": ["Le problème est revenu depuis hier, merci de rouvrir ma demande.",
           "Rien n'a changé en réalité, je n'ai toujours pas de solution."],
    "ar": ["المشكل رجع من البارح، من فضلكم أعيدوا فتح الطلب.",
           "في الحقيقة ما تبدل والو، مازال ما عنديش حل."],
    "arq-Latn": ["le problème rja3 men lbare7, 3awdou 7allou la demande.",
                 "fel 7a9i9a ma tbeddel walou, mazal ma 3andich 7al."],
    "en": ["The problem came back yesterday, please reopen my request.",
           "Nothing has actually changed, I still have no solution."],
}

NOTES = {
    "algerie-telecom/faults": ["Test SELT : défaut d'isolement sur la paire, envoyer l'équipe lignes.",
                               "Répartiteur de {place} saturé, incident réseau déjà ouvert.",
                               "Le client confirme modem redémarré ; OT créé pour intervention."],
    "algerie-telecom/billing": ["Paiement retrouvé dans le relevé bancaire, rapprochement à forcer.",
                                "Consommation vérifiée sur 3 mois : pic anormal sur {month}.",
                                "Dossier à valider par le chef d'agence avant avoir."],
    "algerie-telecom/subscriptions": ["Pas de port libre sur l'armoire, en attente d'extension.",
                                      "Étude terrain faite, raccordement possible sous 2 semaines.",
                                      "Pièces du dossier complètes, transmis à l'agence."],
    "algerie-poste/mail": ["Dernier scan au centre de tri, demande de recherche envoyée.",
                           "Facteur titulaire en congé, tournée assurée par un remplaçant.",
                           "Colis en instance au bureau, avis non déposé."],
    "algerie-poste/financial": ["Ticket GAB consulté : opération non aboutie, régularisation automatique à J+5.",
                                "Virement rejeté par le centre pour RIP erroné.",
                                "Carte réactivée par le service monétique."],
    "mobilis/network": ["Site BTS de {place} en alarme depuis 2 jours, ticket NOC ouvert.",
                        "Zone blanche connue, site prévu au plan de déploiement.",
                        "Profil data de la ligne réinitialisé."],
    "mobilis/customer-account": ["Abonnements VAS trouvés sur la ligne, désactivation faite.",
                                 "Recharge retrouvée côté distributeur, crédit à réinjecter.",
                                 "Demande de PUK : identité vérifiée au téléphone."],
    "other": ["Hors périmètre du centre, réponse d'orientation envoyée.",
              "Citoyen rappelé pour lui donner le bon contact."],
}

NOTES_GENERIC = ["Client rappelé, pas de réponse ; nouvel essai demain.",
                 "Citoyen très mécontent, à traiter en priorité.",
                 "الزبون اتصل مرة ثانية، طلب الاستعجال.",
                 "Vérifié avec le superviseur, on continue le traitement.",
                 "Deuxième demande du même citoyen sur ce sujet."]

TRANSFER_REASONS = {
    "orientation": ["La demande relève de ce service d'après son contenu.",
                    "Orientée après lecture : sujet de la compétence de ce service.",
                    "Appel du citoyen requalifié."],
    "misrouted": ["Mal orientée : le sujet concerne un autre service.",
                  "Ne relève pas de notre service, transfert vers le service compétent.",
                  "Erreur d'aiguillage automatique, transfert."],
    "cross": ["Après vérification, le problème vient de l'autre organisme : transfert pour traitement.",
              "Notre côté est en règle ; l'opération est à rechercher chez l'autre organisme.",
              "Hors de notre périmètre après analyse, transféré à l'organisme concerné."],
}

CLOSE_REASONS = ["Pas de retour du citoyen.", "Résolu et confirmé par le citoyen.", ""]
