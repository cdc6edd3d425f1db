import type { Catalogue } from "./catalogue.ts";

/** Spanish as written in Spain ("ordenador"), addressing the person as «tú», as most apps do. */
export const es: Catalogue = {
  language: "Español",

  "login.loadingQr": "Obteniendo un código de inicio de sesión…",
  "login.loadingPush": "Enviando una solicitud a tu teléfono…",
  "login.loadingPasskey": "Preparando tu llave de acceso…",
  "login.usePasskey": "Usar una llave de acceso",
  "login.passkeySignIn": "Iniciar sesión con una llave de acceso",
  "login.passkeyHint":
    "Tu navegador pide una llave de acceso: elige tu teléfono, escanea con él el código que aparece y confirma allí. El teléfono debe estar cerca de este ordenador.",
  "login.passkeyElsewhere": "Tu teléfono está en otra red",
  "login.passkeyElsewhereHint":
    "Para iniciar sesión aquí, usa la llave de acceso de tu teléfono: solo funciona cuando el teléfono está cerca de este ordenador.",
  "login.passkeyWaiting": "Esperando tu llave de acceso…",
  "login.reconnecting": "Se ha perdido la conexión. Reconectando…",
  "login.pending": "Escanea con tu teléfono",
  "login.pendingHint": "Abre la cámara de un teléfono en el que hayas iniciado sesión y apunta al código.",
  "login.pendingHintApp": "Abre la aplicación {app} en tu teléfono y escanea este código.",
  "login.showCode": "¿No tienes cámara? Mostrar un código para escribir",
  "login.typedIntro": "¿No tienes cámara? En tu teléfono, abre {url} y escribe",
  "login.typedIntroApp": "¿No tienes cámara? Abre la aplicación {app} en tu teléfono y escribe",
  "login.codeLabel": "código {code}",
  "login.enterNumber": "Introduce {number} en tu teléfono",
  "login.qrLoading": "Cargando el código QR",
  "login.qrLabel": "Código QR para iniciar sesión: escanéalo con la cámara de tu teléfono",
  "login.scannedBy": "Escaneado por {who}: confírmalo en tu teléfono",
  "login.scannedByPhone": "Escaneado por tu teléfono: confírmalo en él",
  "login.scannedHint": "Revisa los datos en tu teléfono y toca Aprobar.",
  "login.scannedNumberHint": "Tu teléfono pide este número: escríbelo allí para iniciar sesión.",
  "login.pushSent": "Solicitud enviada al teléfono de {who}",
  "login.pushHint": "Abre la página de inicio de sesión en tu teléfono y escribe allí este número.",
  "login.pushHintApp": "Abre la aplicación {app} en tu teléfono y escribe allí este número.",
  "login.approvedBy": "Aprobado en el teléfono de {who}",
  "login.approved": "Aprobado en el teléfono",
  "login.confirmHint": "Continúa solo si es tu propia cuenta: este navegador iniciará sesión en ella.",
  "login.continueAs": "Continuar como {who}",
  "login.continue": "Continuar",
  "login.notYou": "¿No eres tú? Cancelar",
  "login.cancelledHere": "Cancelado. No se ha iniciado ninguna sesión.",
  "login.signingInAs": "Iniciando sesión como {who}…",
  "login.signingIn": "Aprobado. Iniciando tu sesión…",
  "login.redeemFailed": "No se ha podido terminar de iniciar sesión",
  "login.signedIn": "Has iniciado sesión.",
  "login.deniedNotMe": "Rechazado en el teléfono: «No he sido yo». No se ha iniciado ninguna sesión.",
  "login.deniedWrongNumber":
    "El número escrito en el teléfono no coincidía, así que se ha detenido este inicio de sesión. No se ha iniciado ninguna sesión.",
  "login.denied": "El inicio de sesión se ha rechazado en el teléfono.",
  "login.expired": "Este código ha caducado.",
  "login.cancelled": "Este inicio de sesión se ha cancelado.",
  "login.redeemed": "Este código ya se ha usado para iniciar sesión.",
  "login.tryAgain": "Volver a intentarlo",
  "login.freshCode": "Obtener un código nuevo",
  "login.startAgain": "Empezar de nuevo",

  "page.title": "Aprobar un inicio de sesión — {site}",
  "page.heading": "Aprobar un inicio de sesión",
  "page.signedInAs": "Sesión iniciada como {name}",
  "page.signInTitle": "Primero inicia sesión en este teléfono",
  "page.signInText": "Para dejar entrar a otro dispositivo, este teléfono debe tener la sesión iniciada en {site}.",
  "page.signIn": "Iniciar sesión",
  "page.startTitle": "Iniciar sesión en otro dispositivo",
  "page.startText":
    "En el ordenador, abre la página de inicio de sesión. Muestra un código QR y un código de ocho letras.",
  "page.scan": "Escanear el código QR",
  "page.cameraView": "Imagen de la cámara",
  "page.stopCamera": "Detener la cámara",
  "page.noCamera":
    "La cámara solo funciona en páginas seguras (https). Escribe el código o escanea el QR con la aplicación de cámara de tu teléfono.",
  "page.codeLabel": "O escribe el código que aparece en la pantalla",
  "page.continue": "Continuar",
  "page.codeHelp": "Solo letras, como BCDF-GHJK. Da igual si van en mayúsculas o en minúsculas.",
  "page.busy": "Un momento…",
  "page.again": "Iniciar sesión en otro dispositivo",
  "page.appName": "Aprobar inicios de sesión — {site}",
  "page.appShortName": "Aprobar inicio de sesión",
  "page.signInFirst": "Primero inicia sesión en este teléfono y después vuelve a escanear el código.",
  "page.checking": "Comprobando el código…",
  "page.checkPasskey": "Comprueba quién lo pide: este teléfono no puede aprobarlo, solo rechazarlo.",
  "page.check": "Comprueba quién lo solicita y después aprueba o rechaza.",
  "page.checkNumber": "Comprueba quién lo solicita y después escribe el número que aparece en la otra pantalla.",
  "page.pushWaiting":
    "Hay una solicitud de inicio de sesión pendiente: escribe el número que aparece en la otra pantalla.",
  "page.pushGone": "Esa solicitud de inicio de sesión ya no está pendiente.",
  "page.several": {
    one: "{count} solicitud de inicio de sesión pendiente: apruébala solo si su número está en tu pantalla.",
    other: "{count} solicitudes de inicio de sesión pendientes: aprueba solo aquella cuyo número esté en tu pantalla.",
  },
  "page.pointCamera": "Apunta la cámara al código QR de la otra pantalla.",
  "page.cameraBlocked":
    "La cámara está bloqueada para esta página. Permítela en los ajustes del navegador o escribe el código abajo.",
  "page.cameraFailed": "No se ha podido iniciar la cámara. Escribe el código abajo.",
  "page.alertNewDevice": "Se ha iniciado sesión en tu cuenta desde un dispositivo nuevo.",
  "page.alertNotMe": "Has avisado de un inicio de sesión que no hiciste tú.",
  "page.alertWrongNumber": "Se ha detenido un inicio de sesión porque se escribió un número incorrecto.",
  "page.alertOther": "Ha ocurrido algo en tu cuenta.",
  "page.alertsEarlier": { one: "{count} alerta anterior", other: "{count} alertas anteriores" },
  "page.dismiss": "Cerrar",

  "card.titleQr": "¿Iniciar sesión en otro dispositivo?",
  "card.titlePush": "¿Eres tú quien inicia sesión?",
  "card.site": "Alguien quiere iniciar sesión en {origin} con tu cuenta.",
  "card.thisSite": "este sitio",
  "card.warningAdvice":
    "Si ahora mismo no estás delante de ese dispositivo, puede que alguien esté intentando entrar en tu cuenta: toca «No he sido yo».",
  "card.warnNetwork": "El ordenador que lo solicita está en una red distinta a la de este teléfono.",
  "card.warnCountry": "El ordenador que lo solicita parece estar en otro país: {place}.",
  "card.device": "Dispositivo",
  "card.deviceClaimed": "según lo describe el propio navegador",
  "card.deviceValue": "{browser} en {os} ({device})",
  "card.ip": "Dirección IP",
  "card.location": "Ubicación",
  "card.network": "Red",
  "card.clientAsking": "{name}, que pide «{scope}»",
  "card.clientKnown": "una aplicación que este sitio conoce",
  "card.clientSelfNamed": "como se llama a sí misma la aplicación",
  "card.networkSame": "La misma que la de este teléfono",
  "card.networkDifferent": "Distinta de la de este teléfono",
  "card.requested": "Solicitado",
  "card.justNow": "ahora mismo",
  "card.unknown": "Desconocido",
  "card.note": "Aprueba solo si estás delante de ese dispositivo y acabas de pedir iniciar sesión en él.",
  "card.deny": "Rechazar",
  "card.approve": "Aprobar",
  "card.notMe": "No he sido yo",
  "card.numberLabel": "Escribe el número que aparece {onDevice}",
  "card.numberMissing": "Escribe los dos dígitos que aparecen {onDevice}.",
  "card.passkeyRequired": "Para aprobar, confirmarás con la llave de acceso de este teléfono (huella, cara o PIN).",
  "card.passkeyElsewhere":
    "El dispositivo que lo pide está en otra red, así que no se puede aprobar desde este teléfono. Si es tuyo, elige «Iniciar sesión con una llave de acceso» en él y usa la llave de acceso de este teléfono: solo funciona cuando el teléfono está cerca.",
  "card.approvedDone": "Aprobado. El otro dispositivo está iniciando sesión.",
  "card.deniedDone": "Rechazado. No se ha iniciado ninguna sesión.",
  "card.blockedQr":
    "Bloqueado. No se ha iniciado ninguna sesión. Si alguien te ha enviado ese código, no escanees códigos de otras personas.",
  "card.blockedPush":
    "Bloqueado. No se ha iniciado ninguna sesión y las solicitudes a tu teléfono quedan en pausa durante un tiempo.",

  "device.desktop": "ordenador",
  "device.mobile": "teléfono",
  "device.tablet": "tableta",
  "device.tv": "televisor",
  "device.unknown": "dispositivo",
  "onDevice.desktop": "en el ordenador",
  "onDevice.mobile": "en el teléfono",
  "onDevice.tablet": "en la tableta",
  "onDevice.tv": "en el televisor",
  "onDevice.unknown": "en la otra pantalla",

  "error.invalid_request": "Algo no estaba bien en esa solicitud. Comprueba el código y vuelve a intentarlo.",
  "error.authorization_pending": "Todavía esperando a que se apruebe en el teléfono.",
  "error.slow_down": "Demasiados intentos en poco tiempo. Espera unos segundos y vuelve a intentarlo.",
  "error.access_denied": "Este inicio de sesión se ha rechazado, así que no se ha iniciado ninguna sesión.",
  "error.expired_token": "Este código ha caducado. Obtén un código nuevo en la otra pantalla y vuelve a intentarlo.",
  "error.invalid_client": "Este dispositivo no tiene permiso para iniciar sesión aquí.",
  "error.invalid_grant":
    "El código de inicio de sesión de este dispositivo no es válido. Empieza de nuevo en el dispositivo.",
  "error.unsupported_grant_type": "Este dispositivo ha pedido iniciar sesión de una forma que este sitio no admite.",
  "error.BODY_TOO_LARGE": "Se han intentado enviar demasiados datos. Recarga la página y vuelve a intentarlo.",
  "error.UNSUPPORTED_MEDIA_TYPE":
    "Esta página ha enviado algo que el servidor no entiende. Recarga la página y vuelve a intentarlo.",
  "error.NOT_FOUND": "Esta página está desactualizada. Recárgala y vuelve a intentarlo.",
  "error.METHOD_NOT_ALLOWED": "Esta página está desactualizada. Recárgala y vuelve a intentarlo.",
  "error.BAD_ORIGIN": "Esta solicitud venía de otro sitio web, así que se ha rechazado por tu seguridad.",
  "error.BROWSER_SECRET_REQUIRED": "Este navegador ha perdido su código de inicio de sesión. Obtén un código nuevo.",
  "error.BROWSER_SECRET_INVALID":
    "Este código de inicio de sesión pertenece a otra ventana del navegador. Obtén aquí un código nuevo.",
  "error.APPROVER_UNAUTHENTICATED":
    "Tienes que haber iniciado sesión en este teléfono para poder aprobar un inicio de sesión.",
  "error.REQUEST_NOT_FOUND":
    "Este inicio de sesión ya no existe; puede que haya caducado. Obtén un código nuevo en la otra pantalla.",
  "error.SCAN_TOKEN_INVALID":
    "Este código QR ya no es válido: los códigos cambian cada pocos segundos. Vuelve a escanear el código de la pantalla.",
  "error.USER_CODE_INVALID":
    "Ese código no corresponde a ningún inicio de sesión. Comprueba las letras en la otra pantalla y vuelve a intentarlo.",
  "error.ALREADY_CLAIMED": "Otro teléfono ya ha escaneado este código. Si no has sido tú, obtén un código nuevo.",
  "error.NOT_YOUR_REQUEST":
    "Este inicio de sesión se empezó desde el teléfono de otra cuenta, así que no puedes responderlo.",
  "error.NOT_SCANNED":
    "Este inicio de sesión aún no se ha escaneado. Primero escanea el código QR o escribe el código.",
  "error.ALREADY_DECIDED": "Este inicio de sesión ya se ha respondido.",
  "error.ALREADY_REDEEMED": "Este inicio de sesión ya se ha usado.",
  "error.REDEMPTION_IN_PROGRESS":
    "Este inicio de sesión ya se está completando en otra ventana. Espera un momento y vuelve a intentarlo.",
  "error.CANCELLED": "El inicio de sesión se ha cancelado en la otra pantalla.",
  "error.WRONG_NUMBER":
    "Ese número no coincidía con el de la otra pantalla, así que este inicio de sesión se ha detenido por tu seguridad. Si no lo empezaste tú, puede que alguien esté intentando entrar en tu cuenta.",
  "error.NETWORK_MISMATCH":
    "Este inicio de sesión se empezó en una red distinta a la de este teléfono, así que se ha rechazado por tu seguridad. Aprueba solo inicios de sesión en una pantalla que tengas delante.",
  "error.BROWSER_KEY_REQUIRED":
    "Este navegador no ha podido demostrar que es el que hizo la solicitud. Obtén un código nuevo.",
  "error.BROWSER_KEY_INVALID":
    "Este navegador no ha podido demostrar que es el que hizo la solicitud. Obtén un código nuevo.",
  "error.PUSH_DISABLED":
    "Las solicitudes de inicio de sesión a tu teléfono no están activadas en este sitio. Escanea el código QR.",
  "error.RATE_LIMITED": "Demasiados intentos. Espera un minuto antes de volver a intentarlo.",
  "error.TOO_MANY_STREAMS": "El servidor está ocupado en este momento. Esta página sigue intentando conectarse.",
  "error.SESSION_FAILED":
    "El inicio de sesión se ha aprobado, pero el sitio no ha podido abrir tu sesión. Vuelve a intentarlo.",
  "error.ADDRESS_REQUIRED":
    "El sitio aún no está configurado para este tipo de inicio de sesión. Avisa a sus responsables.",
  "error.INTERNAL_ERROR": "Algo ha fallado en el servidor. Vuelve a intentarlo dentro de un momento.",
  "error.PASSKEY_DISABLED":
    "Iniciar sesión con una llave de acceso no está disponible para este inicio de sesión. Escanea el código QR.",
  "error.PASSKEY_REQUIRED":
    "Este sitio te pide confirmar con tu llave de acceso antes de aprobar, y esta cuenta no tiene ninguna en este teléfono. Añade primero una llave de acceso a tu cuenta.",
  "error.PASSKEY_INVALID":
    "No se pudo comprobar la respuesta de tu llave de acceso, así que no se aprobó nada. Inténtalo de nuevo.",
  "error.PASSKEY_CHALLENGE_MISMATCH":
    "Tu llave de acceso respondió por otro inicio de sesión, así que no se aprobó nada. Empieza de nuevo desde la pantalla que tienes delante.",
  "error.PASSKEY_USER_NOT_VERIFIED":
    "Tu llave de acceso no comprobó que eres tú (huella, cara o PIN), así que no se aprobó nada. Inténtalo de nuevo y desbloquéala.",
  "error.PASSKEY_REPLAYED":
    "Esa respuesta de la llave de acceso ya se usó una vez, así que se rechazó. Inténtalo de nuevo para obtener una nueva.",
  "error.PASSKEY_UNKNOWN_CREDENTIAL":
    "Esa llave de acceso no pertenece a la cuenta de este inicio de sesión, así que no se aprobó nada. Usa tu propia llave de acceso.",
  "error.PASSKEY_SIGN_IN_REQUIRED":
    "El dispositivo que lo pide está en otra red, así que no se puede aprobar desde aquí. En ese dispositivo, elige «Iniciar sesión con una llave de acceso» y usa la llave de acceso de este teléfono: solo funciona cuando el teléfono está cerca.",
  "error.PASSKEY_CANCELLED":
    "La comprobación con la llave de acceso se cerró o caducó, así que no se aprobó nada. Inténtalo de nuevo.",
  "error.CARD_CHANGED":
    "Lo que el servidor pidió confirmar a tu llave de acceso no coincide con el inicio de sesión que se muestra aquí, así que no se envió nada. Vuelve a escanear el código.",
  "error.NETWORK_ERROR": "No se puede conectar con el servidor. Comprueba tu conexión y vuelve a intentarlo.",
  "error.QR_FOREIGN_ORIGIN":
    "Este código QR lleva a otro sitio web, así que no se ha abierto. Escanea solo códigos que muestre este sitio.",
  "error.QR_NOT_A_SIGN_IN_CODE": "Este código QR no es un código de inicio de sesión de este sitio.",
  "error.BAD_RESPONSE": "El servidor ha dado una respuesta que esta página no entiende. Recarga y vuelve a intentarlo.",
};
