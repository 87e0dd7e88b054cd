"""Words that carry no meaning for search, in the normalised form (see bawaba.core.textnorm.normalise).

Used for queries on both backends (so "comment recharger ma carte" asks for "recharger carte") and for
choosing the informative terms of a citizen's problem description. Darija (Latin and Arabic letters)
fillers are included because citizens write the way they speak.
"""

from bawaba.core.textnorm import normalise

_FRENCH = """
a à ai aie ainsi alors as au aucun aussi autre autres aux avais avait avant avec avez avoir avons bah
beaucoup bien bon bonjour bonsoir c ca ça car ce ceci cela celle celles celui cependant ces cet cette
chaque chez comme comment d dans de deja déjà des depuis dois doit donc dont du elle elles en encore
es est et etc ete été etre être eu fait faire fais faut hier il ils j jai je jusqu jusque l la le les
leur leurs lui m ma madame mais me meme même merci mes moi mon monsieur n ne ni non nos notre nous on
ont ou où oui par parce pas peu peut peux plus plusieurs pour pourquoi puis puisque qu quand que quel
quelle quelles quels qui quoi s sa sans se ses si sil sont sous suis sur svp t ta te tes toi ton tous
tout toute toutes tres très tu un une vos votre vous voudrais veux y
"""

_ENGLISH = """
a about after again all am an and any are as at be been before being but by can cannot could did do
does doing done dont for from get got had has have having he hello her hers him his how i if im in into
is it its just me more most my no nor not now of off on once only or other our out over please same she
should so some such than thank thanks that the their them then there these they this those to too
under until up very was we were what when where which while who whom why will with would you your
"""

_ARABIC = """
في من الى إلى على عن مع هذا هذه ذلك تلك التي الذي الذين و او أو ثم لا لم لن ما ماذا كيف لماذا متى اين
أين هل قد كان كانت يكون انا أنا انت أنت هو هي نحن هم كل بعض عند بعد قبل حتى اذا إذا ان إن أن انه إنه
لقد لكن ايضا أيضا شكرا السلام عليكم مرحبا يا لي لك له لها بها به فيه فيها منذ الان الآن جدا غير
راني راه راهي راهو واش وش وين كيفاش علاش بصح ماشي بزاف شوية تاع نتاع ديال تاعي نتاعي كي باش هاد هادي
"""

_DARIJA_LATIN = """
rani raho rahi rahou wach wesh kifach kifah 3lach 3lah bach bech ana nta nti howa hiya hna ntouma homa
li lli fi f m3a ta3 ta3i dyal diali w wla walla bzaf chwiya ga3 kima hadi hada hadik had ki kho khoya
khti sahbi salam slm saha 3andi andi ya rah win wayn el
"""

STOP_WORDS: frozenset[str] = frozenset(
    normalise(word) for block in (_FRENCH, _ENGLISH, _ARABIC, _DARIJA_LATIN) for word in block.split()
)
