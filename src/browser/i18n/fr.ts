import type { Catalogue } from "./catalogue.ts";

/**
 * French, addressing the person as « vous ». French typography: a no-break space (\u00a0) before
 * a colon, a narrow one (\u202f) before ? ! ; and inside « ».
 */
export const fr: Catalogue = {
  language: "Français",

  "login.loadingQr": "Obtention d’un code de connexion…",
  "login.loadingPush": "Envoi d’une demande à votre téléphone…",
  "login.loadingPasskey": "Préparation de votre clé d’accès…",
  "login.usePasskey": "Utiliser plutôt une clé d’accès",
  "login.passkeySignIn": "Se connecter avec une clé d’accès",
  "login.passkeyHint":
    "Votre navigateur demande une clé d’accès\u00a0: choisissez votre téléphone, scannez avec lui le code affiché, puis confirmez sur le téléphone. Le téléphone doit être près de cet ordinateur.",
  "login.passkeyElsewhere": "Votre téléphone est sur un autre réseau",
  "login.passkeyElsewhereHint":
    "Pour vous connecter ici, utilisez la clé d’accès de votre téléphone\u00a0: cela ne fonctionne que si le téléphone est près de cet ordinateur.",
  "login.passkeyWaiting": "En attente de votre clé d’accès…",
  "login.reconnecting": "Connexion perdue — nouvelle tentative…",
  "login.pending": "Scannez avec votre téléphone",
  "login.pendingHint":
    "Ouvrez l’appareil photo d’un téléphone sur lequel vous êtes connecté et pointez-le vers le code.",
  "login.pendingHintApp": "Ouvrez l’application {app} sur votre téléphone et scannez ce code.",
  "login.showCode": "Pas d’appareil photo\u202f? Afficher un code à saisir",
  "login.typedIntro": "Pas d’appareil photo\u202f? Sur votre téléphone, ouvrez {url} et saisissez",
  "login.typedIntroApp": "Pas d’appareil photo\u202f? Ouvrez l’application {app} sur votre téléphone et saisissez",
  "login.codeLabel": "code {code}",
  "login.enterNumber": "Saisissez {number} sur votre téléphone",
  "login.qrLoading": "Chargement du code QR",
  "login.qrLabel": "Code QR de connexion\u00a0: scannez-le avec l’appareil photo de votre téléphone",
  "login.scannedBy": "Scanné par {who} — confirmez sur votre téléphone",
  "login.scannedByPhone": "Scanné par votre téléphone — confirmez sur celui-ci",
  "login.scannedHint": "Vérifiez les informations sur votre téléphone, puis touchez Approuver.",
  "login.scannedNumberHint": "Votre téléphone demande ce nombre\u00a0: saisissez-le pour vous connecter.",
  "login.pushSent": "Demande envoyée au téléphone de {who}",
  "login.pushHint": "Ouvrez la page de connexion sur votre téléphone et saisissez-y ce nombre.",
  "login.pushHintApp": "Ouvrez l’application {app} sur votre téléphone et saisissez-y ce nombre.",
  "login.approvedBy": "Approuvé sur le téléphone de {who}",
  "login.approved": "Approuvé sur le téléphone",
  "login.confirmHint": "Continuez seulement s’il s’agit de votre propre compte\u00a0: ce navigateur y sera connecté.",
  "login.continueAs": "Continuer en tant que {who}",
  "login.continue": "Continuer",
  "login.notYou": "Ce n’est pas vous\u202f? Annuler",
  "login.cancelledHere": "Annulé. Personne n’a été connecté.",
  "login.signingInAs": "Connexion en tant que {who}…",
  "login.signingIn": "Approuvé — connexion en cours…",
  "login.redeemFailed": "Impossible de terminer la connexion",
  "login.signedIn": "Vous êtes connecté.",
  "login.deniedNotMe": "Refusé sur le téléphone\u00a0: «\u202fCe n’était pas moi\u202f». Personne n’a été connecté.",
  "login.deniedWrongNumber":
    "Le nombre saisi sur le téléphone ne correspondait pas\u00a0: cette connexion a été arrêtée. Personne n’a été connecté.",
  "login.denied": "La connexion a été refusée sur le téléphone.",
  "login.expired": "Ce code a expiré.",
  "login.cancelled": "Cette connexion a été annulée.",
  "login.redeemed": "Ce code a déjà servi à se connecter.",
  "login.tryAgain": "Réessayer",
  "login.freshCode": "Obtenir un nouveau code",
  "login.startAgain": "Recommencer",

  "page.title": "Approuver une connexion — {site}",
  "page.heading": "Approuver une connexion",
  "page.signedInAs": "Connecté en tant que {name}",
  "page.signInTitle": "Connectez-vous d’abord sur ce téléphone",
  "page.signInText": "Pour autoriser un autre appareil, ce téléphone doit être connecté à {site}.",
  "page.signIn": "Se connecter",
  "page.startTitle": "Se connecter sur un autre appareil",
  "page.startText":
    "Sur l’ordinateur, ouvrez la page de connexion. Elle affiche un code QR et un code de huit lettres.",
  "page.scan": "Scanner le code QR",
  "page.cameraView": "Image de l’appareil photo",
  "page.stopCamera": "Arrêter l’appareil photo",
  "page.noCamera":
    "L’appareil photo ne fonctionne que sur les pages sécurisées (https). Saisissez plutôt le code, ou scannez le QR avec l’application Appareil photo de votre téléphone.",
  "page.codeLabel": "Ou saisissez le code affiché à l’écran",
  "page.continue": "Continuer",
  "page.codeHelp": "Uniquement des lettres, comme BCDF-GHJK. Majuscules ou minuscules, peu importe.",
  "page.busy": "Un instant…",
  "page.again": "Connecter un autre appareil",
  "page.appName": "Approuver les connexions — {site}",
  "page.appShortName": "Approuver",
  "page.signInFirst": "Connectez-vous d’abord sur ce téléphone, puis scannez à nouveau le code.",
  "page.checking": "Vérification du code…",
  "page.checkPasskey": "Vérifiez qui demande\u00a0: ce téléphone ne peut pas l’approuver, seulement la refuser.",
  "page.check": "Vérifiez qui fait la demande, puis approuvez ou refusez.",
  "page.checkNumber": "Vérifiez qui fait la demande, puis saisissez le nombre affiché sur l’autre écran.",
  "page.pushWaiting": "Une demande de connexion attend\u00a0: saisissez le nombre affiché sur l’autre écran.",
  "page.pushGone": "Cette demande de connexion n’est plus en attente.",
  "page.several": {
    one: "{count} demande de connexion en attente — ne l’approuvez que si son nombre est sur votre écran.",
    other: "{count} demandes de connexion en attente — n’approuvez que celle dont le nombre est sur votre écran.",
  },
  "page.pointCamera": "Pointez l’appareil photo vers le code QR de l’autre écran.",
  "page.cameraBlocked":
    "L’appareil photo est bloqué pour cette page. Autorisez-le dans les réglages du navigateur, ou saisissez le code ci-dessous.",
  "page.cameraFailed": "Impossible de démarrer l’appareil photo. Saisissez plutôt le code ci-dessous.",
  "page.alertNewDevice": "Un nouvel appareil a été connecté à votre compte.",
  "page.alertNotMe": "Vous avez signalé une connexion que vous n’aviez pas demandée.",
  "page.alertWrongNumber": "Une connexion a été arrêtée, car un mauvais nombre a été saisi.",
  "page.alertOther": "Un événement a eu lieu sur votre compte.",
  "page.alertsEarlier": { one: "{count} alerte précédente", other: "{count} alertes précédentes" },
  "page.dismiss": "Fermer",

  "card.titleQr": "Se connecter sur un autre appareil\u202f?",
  "card.titlePush": "Est-ce bien vous qui vous connectez\u202f?",
  "card.site": "Quelqu’un veut se connecter à {origin} avec votre compte.",
  "card.thisSite": "ce site",
  "card.warningAdvice":
    "Si vous n’êtes pas devant cet appareil en ce moment, quelqu’un essaie peut-être d’accéder à votre compte\u00a0: touchez «\u202fCe n’était pas moi\u202f».",
  "card.warnNetwork": "L’ordinateur qui demande est sur un autre réseau que ce téléphone.",
  "card.warnCountry": "L’ordinateur qui demande semble se trouver dans un autre pays\u00a0: {place}.",
  "card.device": "Appareil",
  "card.deviceClaimed": "tel que le navigateur se décrit",
  "card.deviceValue": "{browser} sur {os} ({device})",
  "card.ip": "Adresse IP",
  "card.location": "Lieu",
  "card.network": "Réseau",
  "card.clientAsking": "{name}, qui demande « {scope} »",
  "card.clientKnown": "une application connue de ce site",
  "card.clientSelfNamed": "tel que l’application se nomme elle-même",
  "card.networkSame": "Le même que ce téléphone",
  "card.networkDifferent": "Différent de celui de ce téléphone",
  "card.requested": "Demandé",
  "card.justNow": "à l’instant",
  "card.unknown": "Inconnu",
  "card.note": "N’approuvez que si vous êtes devant cet appareil et venez d’y demander à vous connecter.",
  "card.deny": "Refuser",
  "card.approve": "Approuver",
  "card.notMe": "Ce n’était pas moi",
  "card.numberLabel": "Saisissez le nombre affiché {onDevice}",
  "card.numberMissing": "Saisissez les deux chiffres affichés {onDevice}.",
  "card.passkeyRequired":
    "Pour approuver, vous confirmerez avec la clé d’accès de ce téléphone (empreinte, visage ou code).",
  "card.passkeyElsewhere":
    "L’appareil qui demande est sur un autre réseau\u00a0: cette connexion ne peut donc pas être approuvée depuis ce téléphone. Si c’est le vôtre, choisissez «\u202fSe connecter avec une clé d’accès\u202f» sur cet appareil et utilisez la clé d’accès de ce téléphone\u00a0: cela ne fonctionne que si le téléphone est à proximité.",
  "card.approvedDone": "Approuvé. L’autre appareil est en train de se connecter.",
  "card.deniedDone": "Refusé. Personne n’a été connecté.",
  "card.blockedQr":
    "Bloqué. Personne n’a été connecté. Si quelqu’un vous a envoyé ce code, ne scannez pas les codes d’autres personnes.",
  "card.blockedPush":
    "Bloqué. Personne n’a été connecté, et les demandes envoyées à votre téléphone sont suspendues pendant un moment.",

  "device.desktop": "ordinateur",
  "device.mobile": "téléphone",
  "device.tablet": "tablette",
  "device.tv": "téléviseur",
  "device.unknown": "appareil",
  "onDevice.desktop": "sur l’ordinateur",
  "onDevice.mobile": "sur le téléphone",
  "onDevice.tablet": "sur la tablette",
  "onDevice.tv": "sur le téléviseur",
  "onDevice.unknown": "sur l’autre écran",

  "error.invalid_request": "Quelque chose n’allait pas dans cette demande. Vérifiez le code et réessayez.",
  "error.authorization_pending": "En attente de l’approbation sur le téléphone.",
  "error.slow_down": "Trop d’essais en peu de temps. Patientez quelques secondes, puis réessayez.",
  "error.access_denied": "Cette connexion a été refusée\u00a0: personne n’a été connecté.",
  "error.expired_token": "Ce code a expiré. Obtenez un nouveau code sur l’autre écran et réessayez.",
  "error.invalid_client": "Cet appareil n’est pas autorisé à se connecter ici.",
  "error.invalid_grant": "Le code de connexion de cet appareil n’est pas valide. Recommencez sur l’appareil.",
  "error.unsupported_grant_type":
    "Cet appareil a demandé à se connecter d’une façon que ce site ne prend pas en charge.",
  "error.BODY_TOO_LARGE": "Trop de données à envoyer. Rechargez la page et réessayez.",
  "error.UNSUPPORTED_MEDIA_TYPE":
    "Cette page a envoyé quelque chose que le serveur ne comprend pas. Rechargez la page et réessayez.",
  "error.NOT_FOUND": "Cette page n’est plus à jour. Rechargez-la et réessayez.",
  "error.METHOD_NOT_ALLOWED": "Cette page n’est plus à jour. Rechargez-la et réessayez.",
  "error.BAD_ORIGIN": "Cette demande venait d’un autre site web\u00a0: elle a été refusée pour votre sécurité.",
  "error.BROWSER_SECRET_REQUIRED": "Ce navigateur a perdu la trace de son code de connexion. Obtenez un nouveau code.",
  "error.BROWSER_SECRET_INVALID":
    "Ce code de connexion appartient à une autre fenêtre du navigateur. Obtenez un nouveau code ici.",
  "error.APPROVER_UNAUTHENTICATED": "Vous devez être connecté sur ce téléphone pour pouvoir approuver une connexion.",
  "error.REQUEST_NOT_FOUND":
    "Cette connexion n’existe plus\u202f; elle a peut-être expiré. Obtenez un nouveau code sur l’autre écran.",
  "error.SCAN_TOKEN_INVALID":
    "Ce code QR n’est plus valide\u00a0: les codes changent toutes les quelques secondes. Scannez à nouveau le code affiché à l’écran.",
  "error.USER_CODE_INVALID":
    "Ce code ne correspond à aucune connexion. Vérifiez les lettres sur l’autre écran et réessayez.",
  "error.ALREADY_CLAIMED": "Un autre téléphone a déjà scanné ce code. Si ce n’était pas vous, obtenez un nouveau code.",
  "error.NOT_YOUR_REQUEST":
    "Cette connexion a été lancée depuis le téléphone d’un autre compte\u00a0: vous ne pouvez pas y répondre.",
  "error.NOT_SCANNED": "Cette connexion n’a pas encore été scannée. Scannez d’abord le code QR ou saisissez le code.",
  "error.ALREADY_DECIDED": "Cette demande de connexion a déjà reçu une réponse.",
  "error.ALREADY_REDEEMED": "Cette connexion a déjà été utilisée.",
  "error.REDEMPTION_IN_PROGRESS":
    "Cette connexion est déjà en train d’aboutir dans une autre fenêtre. Patientez un instant, puis réessayez.",
  "error.CANCELLED": "La connexion a été annulée sur l’autre écran.",
  "error.WRONG_NUMBER":
    "Ce nombre ne correspondait pas à celui de l’autre écran\u00a0: cette connexion a été arrêtée pour votre sécurité. Si vous ne l’avez pas lancée, quelqu’un essaie peut-être d’accéder à votre compte.",
  "error.NETWORK_MISMATCH":
    "Cette connexion a été lancée depuis un autre réseau que celui de ce téléphone\u00a0: elle a été refusée pour votre sécurité. N’approuvez que les connexions affichées sur un écran devant vous.",
  "error.BROWSER_KEY_REQUIRED":
    "Ce navigateur n’a pas pu prouver que c’est bien lui qui a fait la demande. Obtenez un nouveau code.",
  "error.BROWSER_KEY_INVALID":
    "Ce navigateur n’a pas pu prouver que c’est bien lui qui a fait la demande. Obtenez un nouveau code.",
  "error.PUSH_DISABLED":
    "Les demandes de connexion envoyées au téléphone ne sont pas activées sur ce site. Scannez plutôt le code QR.",
  "error.RATE_LIMITED": "Trop de tentatives. Patientez une minute avant de réessayer.",
  "error.TOO_MANY_STREAMS": "Le serveur est occupé pour le moment. Cette page continue d’essayer de se connecter.",
  "error.SESSION_FAILED": "La connexion a été approuvée, mais le site n’a pas pu ouvrir votre session. Réessayez.",
  "error.ADDRESS_REQUIRED":
    "Ce site n’est pas encore configuré pour ce mode de connexion. Merci de prévenir ses responsables.",
  "error.INTERNAL_ERROR": "Une erreur s’est produite sur le serveur. Réessayez dans un instant.",
  "error.PASSKEY_DISABLED":
    "La connexion avec une clé d’accès n’est pas disponible pour cette connexion. Scannez plutôt le code QR.",
  "error.PASSKEY_REQUIRED":
    "Ce site vous demande de confirmer avec votre clé d’accès avant d’approuver, et ce compte n’en a aucune sur ce téléphone. Ajoutez d’abord une clé d’accès à votre compte.",
  "error.PASSKEY_INVALID":
    "La réponse de votre clé d’accès n’a pas pu être vérifiée, rien n’a donc été approuvé. Réessayez.",
  "error.PASSKEY_CHALLENGE_MISMATCH":
    "Votre clé d’accès a répondu pour une autre connexion, rien n’a donc été approuvé. Recommencez depuis l’écran qui est devant vous.",
  "error.PASSKEY_USER_NOT_VERIFIED":
    "Votre clé d’accès n’a pas vérifié que c’est bien vous (empreinte, visage ou code), rien n’a donc été approuvé. Réessayez en la déverrouillant.",
  "error.PASSKEY_REPLAYED":
    "Cette réponse de clé d’accès a déjà servi une fois, elle a donc été refusée. Réessayez pour en obtenir une nouvelle.",
  "error.PASSKEY_UNKNOWN_CREDENTIAL":
    "Cette clé d’accès n’appartient pas au compte visé par cette connexion, rien n’a donc été approuvé. Utilisez votre propre clé d’accès.",
  "error.PASSKEY_SIGN_IN_REQUIRED":
    "L’appareil qui demande est sur un autre réseau\u00a0: la connexion ne peut donc pas être approuvée d’ici. Sur cet appareil, choisissez «\u202fSe connecter avec une clé d’accès\u202f» et utilisez la clé d’accès de ce téléphone\u00a0: cela ne fonctionne que si le téléphone est à proximité.",
  "error.PASSKEY_CANCELLED":
    "La vérification par clé d’accès a été fermée ou a expiré, rien n’a donc été approuvé. Réessayez.",
  "error.CARD_CHANGED":
    "Ce que le serveur a demandé à votre clé d’accès de confirmer ne correspond pas à la connexion affichée ici, rien n’a donc été envoyé. Scannez à nouveau le code.",
  "error.NETWORK_ERROR": "Impossible de joindre le serveur. Vérifiez votre connexion et réessayez.",
  "error.QR_FOREIGN_ORIGIN":
    "Ce code QR mène à un autre site web\u00a0: il n’a pas été ouvert. Ne scannez que les codes affichés par ce site.",
  "error.QR_NOT_A_SIGN_IN_CODE": "Ce code QR n’est pas un code de connexion pour ce site.",
  "error.BAD_RESPONSE": "Le serveur a renvoyé une réponse que cette page ne comprend pas. Rechargez et réessayez.",
};
