"""Demo requests written in English (residents, returning diaspora, foreign workers). Hand-written;
placeholders filled by `bawaba.demo.slots`."""

TEXTS = {
    "algerie-telecom/faults": [
        ("Internet down for {days} days",
         "Hello, my ADSL connection in {place} has been down for {days} days. The DSL light on the modem "
         "blinks red. I have restarted it several times. Line number {line}."),
        ("No dial tone on landline",
         "Our landline has had no dial tone since {date}. We cannot call or receive calls. The number is "
         "{line}. My elderly mother relies on it."),
        ("Fibre very slow in the evening",
         "I pay for {speed} Mbps fibre but every evening after {evening} the speed drops below 2 Mbps. Speed "
         "tests have shown this for {weeks} weeks."),
        ("Connection keeps dropping",
         "The internet connection drops roughly every ten minutes, mostly in the afternoon. It has been "
         "like this for {days} days. Line {line} in {place}."),
        ("Phone cable torn out by roadworks",
         "Roadworks on our street in {place} tore out the telephone cable. The whole building has had no "
         "phone or internet for {days} days."),
        ("4G LTE home modem has no signal",
         "My Idoom 4G LTE modem shows 'no service' since {date}. The SIM card is inserted and the "
         "subscription is paid."),
        ("Crackling noise on the line",
         "There is constant crackling on my landline {line}; we can barely hear anything during calls. "
         "It got worse after last week's rain."),
        ("Red LOS light on fibre modem",
         "The LOS light on my fibre modem has been red since {morning} today. No internet at all."),
        ("Whole neighbourhood offline",
         "The whole neighbourhood in {place} has had no internet for {hours} hours. The neighbours have the "
         "same problem. Is there a general outage?"),
        ("Speed far below my plan",
         "I subscribed to {speed} Mbps but never get more than a quarter of it, even at night. I am paying "
         "for a service I do not get. Line {line}."),
        ("Technician never came",
         "I reported a fault on {date} and was promised a technician within 48 hours. Nobody came and I "
         "still have no connection. Line {line}."),
        ("Internet dead since the storm",
         "Since the storm on {date} my internet does not work. The modem powers on but never connects. I "
         "replaced the cable, same result."),
        ("Unreliable connection for remote work",
         "I work from home and my connection drops several times a day for {days} days now. This is urgent "
         "for me. Fibre subscription in {place}."),
        ("Cannot receive calls",
         "I can call out from my landline but nobody can reach me: callers hear 'number not assigned'. "
         "Number {line}."),
        ("Web pages will not load",
         "The modem is connected but websites do not open, or only after several minutes. Maybe a DNS "
         "problem? It has lasted {days} days in {place}."),
        ("Fibre box damaged",
         "The fibre box in our stairwell was broken. Since then three flats including mine have no "
         "internet. Address: {n}00-unit housing estate, {place}."),
        ("Line cut for no reason",
         "My landline was cut although all bills are paid. On {date} everything stopped. Number {line}."),
    ],
    "algerie-telecom/billing": [
        ("Bill far too high",
         "My {month} bill is {amount} DA whereas I usually pay 1,600 DA. I changed nothing in my plan. "
         "Line {line}. Please check."),
        ("Online payment not recorded",
         "I paid my Idoom bill of {amount} DA online by card on {date}. The money was taken but the site "
         "still says 'unpaid'. I have the receipt."),
        ("Idoom top-up not applied",
         "I bought an Idoom top-up card of {amount} DA and entered the code, but my subscription was not "
         "extended. The code now shows as used."),
        ("Billed twice",
         "The month of {month} was billed twice in my customer area and I paid both by mistake "
         "({amount} DA each). I would like a refund or a credit."),
        ("Bills not received",
         "I have not received any bill for {n} months and now I am threatened with disconnection. How can "
         "I get the exact amount due? Line {line}."),
        ("Unknown charges on my bill",
         "My last bill has 'additional services' charges of {amount_small} DA that I never asked for. "
         "Please remove them."),
        ("Line suspended despite payment",
         "I paid my bill at the sales office in {place} on {date} but the line was suspended two days "
         "later. I have the receipt."),
        ("Request for a payment plan",
         "I owe {amount} DA after a long illness. I would like to pay in instalments. Is that possible? "
         "Line {line}."),
        ("Still billed after cancelling",
         "I cancelled my ADSL subscription on {date} but I still receive bills of {amount_small} DA a month."),
        ("Refund of an overpayment",
         "After changing my plan I paid {amount} DA too much. The office told me to file a claim. How do I "
         "get the money back?"),
        ("International calls I never made",
         "My phone bill lists international calls I never made, for {amount} DA. Nobody at home calls "
         "abroad. Line {line}."),
        ("Proof of payment needed",
         "I need a certificate of payment for this year's bills for my employer. How can I get it without "
         "going to {place}?"),
        ("BaridiMob payment not recognised",
         "I paid the {month} bill of line {line} with the app and the money was debited, but Algérie "
         "Télécom keeps asking me for the same bill."),
        ("Change billing address",
         "I would like my bills sent to my new address in {place}. Line {line} stays where it is."),
        ("Wrong amount charged",
         "I was charged {amount} DA instead of {amount_small} DA for the monthly renewal. Please correct "
         "it and refund the difference."),
        ("Disputed late fee",
         "A late fee was added although I paid before the due date of {date}. I dispute this fee and can "
         "prove it."),
    ],
    "algerie-telecom/subscriptions": [
        ("Fibre connection request",
         "Hello, I would like a fibre connection in {place}. Neighbours on my street already have it. "
         "What are the steps and how long does it take?"),
        ("New phone line",
         "I just moved to {place} and want a landline with internet. Which documents do I need and how "
         "much does installation cost?"),
        ("Moving my line to a new address",
         "I am moving next month from {place}. I want to keep my number {line} and transfer my internet "
         "subscription."),
        ("Upgrade from ADSL to fibre",
         "I have been an ADSL customer for {years} years and was told fibre is available on my street. How "
         "do I switch without losing my number?"),
        ("Cancel my subscription",
         "I want to cancel my internet subscription (line {line}) because I am leaving the country. How do "
         "I proceed and must I return the modem?"),
        ("Missed installation appointment",
         "A fibre installation was scheduled on {date} between 9 and 12. I took the day off and nobody "
         "came. Please give me a new appointment."),
        ("Faster plan",
         "I would like to move to the {speed} Mbps plan. Is it possible on line {line} and is the change "
         "immediate?"),
        ("Application pending for months",
         "I applied for a connection on {date} at the {place} office. They always say 'no capacity'. Is "
         "there a planned date?"),
        ("Change of account holder",
         "My father, who held line {line}, has passed away. I want the subscription in my name. Which "
         "documents are needed?"),
        ("Fixed 4G LTE subscription",
         "There is no cable in our village near {place}. Can I get Idoom fixed 4G LTE and what does the "
         "modem cost?"),
        ("Temporary suspension",
         "I am going to work abroad for {n} months. Can my line {line} be suspended temporarily without "
         "losing it?"),
        ("Replace my fibre modem",
         "My fibre modem is old and has no 5 GHz wifi. Can I swap it for a newer model under my "
         "subscription?"),
        ("Business offer",
         "We are opening a medical practice in {place} and need two lines and a business fibre connection. "
         "Which offers exist?"),
        ("New housing not connected",
         "We received our AADL flats in {place} {n} months ago but there is still no telephone connection. "
         "When is the work planned?"),
        ("Plan downgrade refused",
         "I asked to move to a cheaper plan and the office refused without explanation. Line {line}. Why?"),
        ("Status of my application",
         "I filed a subscription application on {date} and got a receipt. No news for {weeks} weeks. "
         "Where does it stand?"),
    ],
    "algerie-poste/mail": [
        ("Parcel not received",
         "I have been waiting {weeks} weeks for a parcel sent from Oran, tracking number {tracking}. "
         "Tracking has not moved since {date}."),
        ("Registered letter lost",
         "I sent a registered letter on {date} from the {place} post office. The recipient never got it. "
         "Number {tracking}."),
        ("International parcel stuck",
         "My parcel from China ({tracking}) has shown 'in customs' for {weeks} weeks. What must I do to "
         "collect it?"),
        ("Delivery notice but nobody came",
         "I found a delivery notice in my letterbox although I was home all day. The parcel is now at "
         "the {place} post office, far from home."),
        ("Renting a PO box",
         "I would like to rent a PO box at the {place} post office. What is the yearly fee and which "
         "documents are needed?"),
        ("Damaged parcel",
         "My parcel {tracking} arrived opened and the contents were broken. How do I file a claim for "
         "compensation?"),
        ("Mail delivered to the wrong address",
         "For {n} months my mail has been left at a neighbour's in {place}. Important letters were lost."),
        ("Postage to France",
         "How much does it cost to send a {n} kg parcel to France and how long does it take? Is EMS "
         "faster?"),
        ("Returned to sender for no reason",
         "My parcel was returned to the sender marked 'addressee unknown', but the address in {place} is "
         "correct. Tracking {tracking}."),
        ("Very slow delivery",
         "A letter from {place} to Algiers took {weeks} weeks. It contained a file with a deadline."),
        ("Marked delivered but never received",
         "Tracking for {tracking} says 'delivered' on {date} but I received nothing and nobody signed. Who "
         "signed for it?"),
        ("No postal delivery in our estate",
         "No postman has come to our estate in {place} for months. We must collect mail at the office. "
         "Can this be fixed?"),
        ("Forwarding my mail",
         "I am moving from {place}. Can my mail be forwarded to my new address for a few months? What "
         "does it cost?"),
        ("Customs charges disputed",
         "I am asked {amount} DA to collect a parcel of second-hand clothes sent by my sister. Is this "
         "amount justified?"),
        ("Post office closed during opening hours",
         "The parcel counter at the {place} post office was closed at {daytime} although the posted hours say "
         "5 pm. I came twice for nothing."),
        ("EMS shipment tracking",
         "I sent an EMS item on {date}, number {tracking}. The recipient abroad has not received it and "
         "tracking is stuck at the sorting centre."),
    ],
    "algerie-poste/financial": [
        ("ATM did not dispense cash",
         "I withdrew {amount} DA at the ATM in {place} on {date}. No cash came out but my CCP account was "
         "debited."),
        ("Edahabia card blocked",
         "My Edahabia card was blocked after three wrong PINs. How can I unblock it quickly? Account {ccp}."),
        ("Pension not paid",
         "My retirement pension did not reach my CCP account this month while other pensioners received "
         "theirs. Account {ccp}."),
        ("BaridiMob activation code never arrives",
         "I cannot activate BaridiMob; the SMS code never arrives on my number {mobile}. I have tried for "
         "several days."),
        ("CCP transfer not received",
         "I transferred {amount} DA to my son's CCP on {date}. The money left my account but he has not "
         "received it."),
        ("Applying for an Edahabia card",
         "I would like an Edahabia card for my CCP account. How long until it reaches the {place} post "
         "office?"),
        ("Salary not credited",
         "My {month} salary is still not on my CCP although my employer says it was paid on {date}. "
         "Account {ccp}."),
        ("CCP chequebook",
         "I ordered a postal chequebook {weeks} weeks ago at the {place} office. Still nothing. How can I "
         "check the order?"),
        ("Money order not paid out",
         "A money order of {amount} DA was sent to me on {date}. The counter says it has not arrived. The "
         "sender has the receipt."),
        ("Unknown transaction on my account",
         "I see a debit of {amount} DA on my CCP statement that I did not make. I still have my card. I "
         "suspect fraud."),
        ("Card swallowed by ATM",
         "The post office ATM in {place} swallowed my Edahabia card yesterday at {daytime}. How do I get it "
         "back?"),
        ("Edahabia online payment refused",
         "My online payments with Edahabia have been refused for {days} days although I have funds. "
         "Message: 'transaction not authorised'."),
        ("CCP account statement",
         "I need a statement of my CCP account for the last {n} months for a visa application. Can I get "
         "it online?"),
        ("Forgotten PIN",
         "I forgot the PIN of my Edahabia card. Do I need a new card or can I get a new PIN?"),
        ("No cash at the post office",
         "The {place} post office has had no cash for {days} days and we cannot withdraw our pensions. When "
         "will this be solved?"),
        ("Opening a CCP account",
         "I would like to open a CCP account to receive my scholarship. Which papers must I bring to the "
         "post office?"),
    ],
    "mobilis/network": [
        ("No signal at home",
         "For {days} days I have had no Mobilis signal at home in {place}. The phone shows 'no service'. "
         "Number {mobile}."),
        ("Very slow 4G",
         "Mobilis 4G is very slow in {place}; I cannot even send a photo. My {gb} GB bundle is active."),
        ("Calls keep dropping",
         "My calls drop after a few seconds since {date}. People I call cannot hear me. Number {mobile}."),
        ("Not receiving SMS",
         "I no longer receive SMS, including bank codes. Sending works but receiving does not. Line {mobile}."),
        ("Roaming not working",
         "I am travelling in Tunisia and my Mobilis phone does not connect to any network, although I "
         "activated roaming before leaving."),
        ("Area with no coverage",
         "Our village near {place} has no Mobilis coverage at all. People climb the hill to make a call. "
         "Is a mast planned?"),
        ("Mobile data not working",
         "Mobile data has stopped working for {hours} hours: the 4G icon shows but no page loads. Number "
         "{mobile}."),
        ("Network congested in the evening",
         "Every evening from {evening} to midnight the network is congested in {place}: calls fail and data "
         "stalls."),
        ("Stuck on 2G",
         "My phone has been stuck on 2G (E) since last week, even in central {place}. I used to have 4G "
         "everywhere."),
        ("Local mast seems down",
         "The mast in our area of {place} seems to have been down for {days} days. Every Mobilis customer "
         "around is affected."),
        ("Cannot call abroad",
         "I cannot call my family in France from my number {mobile}. I hear an error message and I have "
         "credit."),
        ("Poor call quality",
         "Voice breaks up during calls and the other side hears an echo. This happens all over {place} for "
         "{weeks} weeks."),
        ("No signal on the motorway",
         "On the East-West motorway towards {place} there are long stretches with no signal at all. After "
         "an accident we could not call."),
        ("Data stops after midnight",
         "Every night from midnight until morning, data does not work. Calls go through. Line {mobile}."),
        ("Cannot send MMS",
         "I cannot send MMS or voice messages. Settings are factory defaults. Number {mobile}."),
        ("No coverage indoors",
         "In our building in {place} the signal disappears as soon as we go inside. We go out on the "
         "balcony to call."),
    ],
    "mobilis/customer-account": [
        ("Credit vanished",
         "I topped up {amount_small} DA yesterday and this morning my balance is zero. I hardly used the "
         "phone. Number {mobile}."),
        ("Need my PUK code",
         "My SIM is blocked and the phone asks for the PUK code. How do I get it? Number {mobile}, the SIM "
         "is in my name."),
        ("Unwanted services",
         "I was subscribed without asking to services (horoscope, games) that take {amount_small} DA every "
         "week. I want them stopped and refunded."),
        ("Top-up not received",
         "I bought a {amount_small} DA top-up from a shop on {date}; the shop got the confirmation but my "
         "balance did not change. Number {mobile}."),
        ("Porting my number to Mobilis",
         "I want to switch to Mobilis and keep my current number from another operator. What are the steps "
         "and how long does it take?"),
        ("Replacement SIM",
         "I lost my phone with my Mobilis SIM. I want to block line {mobile} and get a new SIM with the "
         "same number."),
        ("Bundle not activated",
         "I bought the {gb} GB bundle by USSD; the price was deducted but the bundle does not show. Number "
         "{mobile}."),
        ("Changing plan",
         "I would like to move from prepaid to a postpaid plan with more data. Which plans exist and where "
         "do I sign?"),
        ("Line registered to someone else",
         "My line {mobile} is still registered to the previous owner. I want it in my name. Which documents "
         "are needed?"),
        ("eSIM",
         "My new phone supports eSIM. Does Mobilis offer eSIM and how do I move my number {mobile}?"),
        ("Postpaid bill disputed",
         "My {month} postpaid bill is {amount} DA instead of {amount_small} DA. I did not exceed my plan."),
        ("Credit transfer failed",
         "I tried to send {amount_small} DA of credit to my daughter; it left my balance but she received "
         "nothing."),
        ("Loyalty points",
         "My loyalty points disappeared just as I was about to convert them into a bonus. Can you check?"),
        ("Line suspended for identification",
         "My line {mobile} was suspended for 'incomplete identification'. I gave my ID card when I bought "
         "the SIM."),
        ("Top-up bonus missing",
         "The promotion promised a 100% bonus on {amount_small} DA top-ups. I topped up on {date} and got "
         "no bonus."),
        ("Cancelling a postpaid plan",
         "I want to cancel the postpaid plan on number {mobile}. Are there fees? Must I go to the {place} "
         "shop?"),
    ],
    "other": [
        ("Passport renewal",
         "Hello, where do I submit my biometric passport renewal in {place} and how long is the wait?"),
        ("Power cut",
         "We have had no electricity for {hours} hours on our street in {place}. Whom should we call to "
         "report it?"),
        ("No running water",
         "Our neighbourhood in {place} has had no tap water for {days} days. Whom should we contact?"),
        ("Chifa card",
         "My Chifa health card no longer works at the pharmacy. How do I get it updated at CNAS?"),
        ("Birth certificate",
         "How can I get a birth certificate when I was born in {place} but now live in another wilaya?"),
        ("AADL housing",
         "I paid the second AADL instalment and have no news about the allocation. Who can tell me about "
         "my file?"),
        ("Driving licence",
         "I want to exchange my old paper driving licence for the biometric one. Which administration "
         "handles it?"),
        ("High gas bill",
         "My Sonelgaz gas bill is {amount} DA for the quarter, three times the usual. How do I dispute it?"),
        ("Vehicle registration",
         "I bought a used car; how do I transfer the registration document to my name?"),
        ("University grant",
         "My university grant has not been paid for {n} months. The university says it is not them. Where "
         "should I ask?"),
        ("Street lighting",
         "The street lights on our road in {place} have been off for {weeks} weeks. It is dangerous at "
         "night. Who is responsible?"),
        ("Rubbish collection",
         "Rubbish has not been collected in our estate in {place} for {days} days. Where can we complain?"),
        ("Criminal record certificate",
         "How can I get a criminal record certificate online for a job application?"),
        ("Unemployment benefit",
         "I am registered with ANEM and would like to know why my unemployment benefit was suspended last "
         "month."),
        ("Property tax",
         "I received a property tax notice of {amount} DA for a flat I sold last year. Whom should I "
         "contact?"),
        ("School transport",
         "The school bus no longer serves our hamlet near {place}. The children walk {n} km. Whom should "
         "we contact?"),
    ],
}

CROSS = [
    ("algerie-telecom/billing", "algerie-poste/financial",
     "Bill paid by card, debited twice",
     "I paid my Idoom bill of {amount} DA with my Edahabia card on {date}. My CCP account was debited twice. "
     "Algérie Télécom says it received only one payment."),
    ("mobilis/customer-account", "algerie-poste/financial",
     "Top-up bought from my CCP account",
     "I bought a {amount_small} DA Mobilis top-up through BaridiMob; the money left CCP {ccp} but Mobilis "
     "cannot find the transaction."),
    ("algerie-telecom/billing", "algerie-poste/mail",
     "Paper bills never delivered",
     "My phone bills have not reached me by post for {n} months. Algérie Télécom says they are sent to my "
     "address in {place}."),
    ("algerie-telecom/faults", "mobilis/network",
     "No internet on my phone at home",
     "At home in {place} the internet on my phone has not worked for {days} days although I have a 4G "
     "bundle. I thought it was the modem but I only use my Mobilis SIM."),
    ("algerie-poste/mail", "mobilis/customer-account",
     "SIM card delivered by post",
     "I ordered a Mobilis SIM online and it came by post, but it is not activated. Number {mobile} does not "
     "work."),
]
