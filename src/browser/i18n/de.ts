import type { Catalogue } from "./catalogue.ts";

/** German, addressing the person as „Sie“; a no-break space (\u00a0) keeps "…" on its word's line. */
export const de: Catalogue = {
  language: "Deutsch",

  "login.loadingQr": "Anmeldecode wird abgerufen\u00a0…",
  "login.loadingPush": "Anfrage wird an Ihr Telefon gesendet\u00a0…",
  "login.loadingPasskey": "Passkey wird vorbereitet\u00a0…",
  "login.usePasskey": "Stattdessen einen Passkey verwenden",
  "login.passkeySignIn": "Mit einem Passkey anmelden",
  "login.passkeyHint":
    "Ihr Browser fragt nach einem Passkey: Wählen Sie Ihr Telefon, scannen Sie den angezeigten Code mit dem Telefon und bestätigen Sie dort. Das Telefon muss sich in der Nähe dieses Computers befinden.",
  "login.passkeyElsewhere": "Ihr Telefon ist in einem anderen Netzwerk",
  "login.passkeyElsewhereHint":
    "Um sich hier anzumelden, verwenden Sie den Passkey Ihres Telefons – das funktioniert nur, wenn das Telefon in der Nähe dieses Computers ist.",
  "login.passkeyWaiting": "Warten auf Ihren Passkey\u00a0…",
  "login.reconnecting": "Verbindung unterbrochen – neuer Versuch\u00a0…",
  "login.pending": "Mit dem Telefon scannen",
  "login.pendingHint":
    "Öffnen Sie die Kamera auf einem Telefon, auf dem Sie angemeldet sind, und richten Sie sie auf den Code.",
  "login.pendingHintApp": "Öffnen Sie die App {app} auf Ihrem Telefon und scannen Sie diesen Code.",
  "login.showCode": "Keine Kamera? Code zum Eintippen anzeigen",
  "login.typedIntro": "Keine Kamera? Öffnen Sie auf Ihrem Telefon {url} und geben Sie diesen Code ein:",
  "login.typedIntroApp": "Keine Kamera? Öffnen Sie die App {app} auf Ihrem Telefon und geben Sie diesen Code ein:",
  "login.codeLabel": "Code {code}",
  "login.enterNumber": "Geben Sie {number} auf Ihrem Telefon ein",
  "login.qrLoading": "QR-Code wird geladen",
  "login.qrLabel": "QR-Code zum Anmelden: Scannen Sie ihn mit der Kamera Ihres Telefons",
  "login.scannedBy": "Gescannt von {who} – bestätigen Sie auf Ihrem Telefon",
  "login.scannedByPhone": "Von Ihrem Telefon gescannt – bestätigen Sie dort",
  "login.scannedHint": "Prüfen Sie die Angaben auf Ihrem Telefon und tippen Sie dann auf „Genehmigen“.",
  "login.scannedNumberHint": "Ihr Telefon fragt nach dieser Zahl: Geben Sie sie dort ein, um sich anzumelden.",
  "login.pushSent": "Anfrage an das Telefon von {who} gesendet",
  "login.pushHint": "Öffnen Sie die Anmeldeseite auf Ihrem Telefon und geben Sie diese Zahl dort ein.",
  "login.pushHintApp": "Öffnen Sie die App {app} auf Ihrem Telefon und geben Sie diese Zahl dort ein.",
  "login.approvedBy": "Auf dem Telefon von {who} genehmigt",
  "login.approved": "Auf dem Telefon genehmigt",
  "login.confirmHint": "Fahren Sie nur fort, wenn dies Ihr eigenes Konto ist: Dieser Browser wird darin angemeldet.",
  "login.continueAs": "Weiter als {who}",
  "login.continue": "Weiter",
  "login.notYou": "Nicht Sie? Abbrechen",
  "login.cancelledHere": "Abgebrochen. Niemand wurde angemeldet.",
  "login.signingInAs": "Anmeldung als {who}\u00a0…",
  "login.signingIn": "Genehmigt – Sie werden angemeldet\u00a0…",
  "login.redeemFailed": "Die Anmeldung konnte nicht abgeschlossen werden",
  "login.signedIn": "Sie sind angemeldet.",
  "login.deniedNotMe": "Auf dem Telefon abgelehnt: „Das war ich nicht“. Niemand wurde angemeldet.",
  "login.deniedWrongNumber":
    "Die auf dem Telefon eingegebene Zahl stimmte nicht, daher wurde diese Anmeldung gestoppt. Niemand wurde angemeldet.",
  "login.denied": "Die Anmeldung wurde auf dem Telefon abgelehnt.",
  "login.expired": "Dieser Code ist abgelaufen.",
  "login.cancelled": "Diese Anmeldung wurde abgebrochen.",
  "login.redeemed": "Dieser Code wurde bereits zum Anmelden verwendet.",
  "login.tryAgain": "Erneut versuchen",
  "login.freshCode": "Neuen Code anfordern",
  "login.startAgain": "Neu beginnen",

  "page.title": "Anmeldung genehmigen – {site}",
  "page.heading": "Anmeldung genehmigen",
  "page.signedInAs": "Angemeldet als {name}",
  "page.signInTitle": "Melden Sie sich zuerst auf diesem Telefon an",
  "page.signInText": "Damit Sie ein anderes Gerät hereinlassen können, muss dieses Telefon bei {site} angemeldet sein.",
  "page.signIn": "Anmelden",
  "page.startTitle": "Auf einem anderen Gerät anmelden",
  "page.startText":
    "Öffnen Sie auf dem Computer die Anmeldeseite. Sie zeigt einen QR-Code und einen Code aus acht Buchstaben.",
  "page.scan": "QR-Code scannen",
  "page.cameraView": "Kamerabild",
  "page.stopCamera": "Kamera ausschalten",
  "page.noCamera":
    "Die Kamera funktioniert nur auf sicheren Seiten (https). Geben Sie stattdessen den Code ein oder scannen Sie den QR-Code mit der Kamera-App Ihres Telefons.",
  "page.codeLabel": "Oder geben Sie den Code vom Bildschirm ein",
  "page.continue": "Weiter",
  "page.codeHelp": "Nur Buchstaben, etwa BCDF-GHJK. Groß- oder Kleinschreibung spielt keine Rolle.",
  "page.busy": "Einen Moment\u00a0…",
  "page.again": "Ein weiteres Gerät anmelden",
  "page.appName": "Anmeldungen genehmigen – {site}",
  "page.appShortName": "Anmeldung genehmigen",
  "page.signInFirst": "Melden Sie sich zuerst auf diesem Telefon an und scannen Sie den Code dann erneut.",
  "page.checking": "Code wird geprüft\u00a0…",
  "page.checkPasskey": "Prüfen Sie, wer anfragt: Dieses Telefon kann die Anmeldung nicht bestätigen, nur ablehnen.",
  "page.check": "Prüfen Sie, wer anfragt, und genehmigen oder lehnen Sie dann ab.",
  "page.checkNumber": "Prüfen Sie, wer anfragt, und geben Sie dann die Zahl vom anderen Bildschirm ein.",
  "page.pushWaiting": "Eine Anmeldeanfrage wartet: Geben Sie die Zahl vom anderen Bildschirm ein.",
  "page.pushGone": "Diese Anmeldeanfrage wartet nicht mehr.",
  "page.several": {
    one: "{count} Anmeldeanfrage wartet – genehmigen Sie sie nur, wenn ihre Zahl auf Ihrem Bildschirm steht.",
    other: "{count} Anmeldeanfragen warten – genehmigen Sie nur die, deren Zahl auf Ihrem Bildschirm steht.",
  },
  "page.pointCamera": "Richten Sie die Kamera auf den QR-Code auf dem anderen Bildschirm.",
  "page.cameraBlocked":
    "Die Kamera ist für diese Seite gesperrt. Erlauben Sie sie in den Browsereinstellungen oder geben Sie den Code unten ein.",
  "page.cameraFailed": "Die Kamera konnte nicht gestartet werden. Geben Sie stattdessen den Code unten ein.",
  "page.alertNewDevice": "Ein neues Gerät wurde in Ihrem Konto angemeldet.",
  "page.alertNotMe": "Sie haben eine Anmeldung gemeldet, die nicht von Ihnen stammt.",
  "page.alertWrongNumber": "Eine Anmeldung wurde gestoppt, weil die falsche Zahl eingegeben wurde.",
  "page.alertOther": "In Ihrem Konto ist etwas passiert.",
  "page.alertsEarlier": { one: "{count} frühere Warnung", other: "{count} frühere Warnungen" },
  "page.dismiss": "Schließen",

  "card.titleQr": "Auf einem anderen Gerät anmelden?",
  "card.titlePush": "Melden Sie sich gerade an?",
  "card.site": "Jemand möchte sich als Sie bei {origin} anmelden.",
  "card.thisSite": "dieser Website",
  "card.warningAdvice":
    "Wenn Sie gerade nicht vor diesem Gerät sitzen, versucht womöglich jemand, in Ihr Konto zu gelangen: Tippen Sie auf „Das war ich nicht“.",
  "card.warnNetwork": "Der anfragende Computer ist in einem anderen Netzwerk als dieses Telefon.",
  "card.warnCountry": "Der anfragende Computer scheint sich in einem anderen Land zu befinden: {place}.",
  "card.device": "Gerät",
  "card.deviceClaimed": "laut Angabe des Browsers",
  "card.deviceValue": "{browser} unter {os} ({device})",
  "card.ip": "IP-Adresse",
  "card.location": "Standort",
  "card.network": "Netzwerk",
  "card.clientAsking": "{name}, fragt nach „{scope}“",
  "card.clientKnown": "eine App, die diese Website kennt",
  "card.clientSelfNamed": "wie sich die App selbst nennt",
  "card.networkSame": "Dasselbe wie bei diesem Telefon",
  "card.networkDifferent": "Ein anderes als bei diesem Telefon",
  "card.requested": "Angefragt",
  "card.justNow": "gerade eben",
  "card.unknown": "Unbekannt",
  "card.note": "Genehmigen Sie nur, wenn Sie vor diesem Gerät sitzen und sich dort gerade anmelden wollten.",
  "card.deny": "Ablehnen",
  "card.approve": "Genehmigen",
  "card.notMe": "Das war ich nicht",
  "card.numberLabel": "Geben Sie die Zahl ein, die {onDevice} angezeigt wird",
  "card.numberMissing": "Geben Sie die zwei Ziffern ein, die {onDevice} angezeigt werden.",
  "card.passkeyRequired": "Zum Bestätigen verwenden Sie den Passkey dieses Telefons (Fingerabdruck, Gesicht oder PIN).",
  "card.passkeyElsewhere":
    "Das anfragende Gerät ist in einem anderen Netzwerk, daher kann die Anmeldung nicht von diesem Telefon aus bestätigt werden. Wenn es Ihr Gerät ist, wählen Sie dort „Mit einem Passkey anmelden“ und verwenden Sie den Passkey dieses Telefons – das funktioniert nur, wenn das Telefon in der Nähe ist.",
  "card.approvedDone": "Genehmigt. Das andere Gerät wird jetzt angemeldet.",
  "card.deniedDone": "Abgelehnt. Niemand wurde angemeldet.",
  "card.blockedQr":
    "Blockiert. Niemand wurde angemeldet. Falls Ihnen jemand diesen Code geschickt hat: Scannen Sie keine Codes von anderen.",
  "card.blockedPush":
    "Blockiert. Niemand wurde angemeldet, und Anfragen an Ihr Telefon sind für eine Weile ausgesetzt.",

  "device.desktop": "Computer",
  "device.mobile": "Telefon",
  "device.tablet": "Tablet",
  "device.tv": "Fernseher",
  "device.unknown": "Gerät",
  "onDevice.desktop": "auf dem Computer",
  "onDevice.mobile": "auf dem Telefon",
  "onDevice.tablet": "auf dem Tablet",
  "onDevice.tv": "auf dem Fernseher",
  "onDevice.unknown": "auf dem anderen Bildschirm",

  "error.invalid_request": "Bei dieser Anfrage stimmte etwas nicht. Prüfen Sie den Code und versuchen Sie es erneut.",
  "error.authorization_pending": "Es wird noch auf die Genehmigung auf dem Telefon gewartet.",
  "error.slow_down": "Zu viele Versuche in kurzer Zeit. Warten Sie ein paar Sekunden und versuchen Sie es dann erneut.",
  "error.access_denied": "Diese Anmeldung wurde abgelehnt, niemand wurde angemeldet.",
  "error.expired_token":
    "Dieser Code ist abgelaufen. Fordern Sie auf dem anderen Bildschirm einen neuen Code an und versuchen Sie es erneut.",
  "error.invalid_client": "Dieses Gerät darf sich hier nicht anmelden.",
  "error.invalid_grant": "Der Anmeldecode dieses Geräts ist ungültig. Beginnen Sie auf dem Gerät neu.",
  "error.unsupported_grant_type":
    "Dieses Gerät möchte sich auf eine Weise anmelden, die diese Website nicht unterstützt.",
  "error.BODY_TOO_LARGE":
    "Es sollten zu viele Daten gesendet werden. Laden Sie die Seite neu und versuchen Sie es erneut.",
  "error.UNSUPPORTED_MEDIA_TYPE":
    "Diese Seite hat etwas gesendet, das der Server nicht versteht. Laden Sie die Seite neu und versuchen Sie es erneut.",
  "error.NOT_FOUND": "Diese Seite ist veraltet. Laden Sie sie neu und versuchen Sie es erneut.",
  "error.METHOD_NOT_ALLOWED": "Diese Seite ist veraltet. Laden Sie sie neu und versuchen Sie es erneut.",
  "error.BAD_ORIGIN": "Diese Anfrage kam von einer anderen Website und wurde zu Ihrer Sicherheit abgelehnt.",
  "error.BROWSER_SECRET_REQUIRED": "Dieser Browser hat seinen Anmeldecode verloren. Fordern Sie einen neuen Code an.",
  "error.BROWSER_SECRET_INVALID":
    "Dieser Anmeldecode gehört zu einem anderen Browserfenster. Fordern Sie hier einen neuen Code an.",
  "error.APPROVER_UNAUTHENTICATED":
    "Sie müssen auf diesem Telefon angemeldet sein, bevor Sie eine Anmeldung genehmigen können.",
  "error.REQUEST_NOT_FOUND":
    "Diese Anmeldung gibt es nicht mehr; vielleicht ist sie abgelaufen. Fordern Sie auf dem anderen Bildschirm einen neuen Code an.",
  "error.SCAN_TOKEN_INVALID":
    "Dieser QR-Code ist nicht mehr gültig: Die Codes wechseln alle paar Sekunden. Scannen Sie den Code auf dem Bildschirm erneut.",
  "error.USER_CODE_INVALID":
    "Dieser Code passt zu keiner Anmeldung. Prüfen Sie die Buchstaben auf dem anderen Bildschirm und versuchen Sie es erneut.",
  "error.ALREADY_CLAIMED":
    "Ein anderes Telefon hat diesen Code bereits gescannt. Falls Sie das nicht waren, fordern Sie einen neuen Code an.",
  "error.NOT_YOUR_REQUEST":
    "Diese Anmeldung wurde vom Telefon eines anderen Kontos gestartet, daher können Sie sie nicht beantworten.",
  "error.NOT_SCANNED":
    "Diese Anmeldung wurde noch nicht gescannt. Scannen Sie zuerst den QR-Code oder geben Sie den Code ein.",
  "error.ALREADY_DECIDED": "Diese Anmeldung wurde bereits beantwortet.",
  "error.ALREADY_REDEEMED": "Diese Anmeldung wurde bereits verwendet.",
  "error.REDEMPTION_IN_PROGRESS":
    "Diese Anmeldung wird bereits in einem anderen Fenster abgeschlossen. Warten Sie einen Moment und versuchen Sie es dann erneut.",
  "error.CANCELLED": "Die Anmeldung wurde auf dem anderen Bildschirm abgebrochen.",
  "error.WRONG_NUMBER":
    "Diese Zahl stimmte nicht mit der auf dem anderen Bildschirm überein, daher wurde diese Anmeldung zu Ihrer Sicherheit gestoppt. Wenn Sie sie nicht selbst gestartet haben, versucht womöglich jemand, in Ihr Konto zu gelangen.",
  "error.NETWORK_MISMATCH":
    "Diese Anmeldung wurde in einem anderen Netzwerk als dem dieses Telefons gestartet und zu Ihrer Sicherheit abgelehnt. Genehmigen Sie nur Anmeldungen auf einem Bildschirm direkt vor Ihnen.",
  "error.BROWSER_KEY_REQUIRED":
    "Dieser Browser konnte nicht nachweisen, dass er die Anfrage gestellt hat. Fordern Sie einen neuen Code an.",
  "error.BROWSER_KEY_INVALID":
    "Dieser Browser konnte nicht nachweisen, dass er die Anfrage gestellt hat. Fordern Sie einen neuen Code an.",
  "error.PUSH_DISABLED":
    "Anmeldeanfragen an Ihr Telefon sind auf dieser Website nicht aktiviert. Scannen Sie stattdessen den QR-Code.",
  "error.RATE_LIMITED": "Zu viele Versuche. Warten Sie eine Minute, bevor Sie es erneut versuchen.",
  "error.TOO_MANY_STREAMS":
    "Der Server ist gerade ausgelastet. Diese Seite versucht weiter, eine Verbindung herzustellen.",
  "error.SESSION_FAILED":
    "Die Anmeldung wurde genehmigt, aber die Website konnte Ihre Sitzung nicht starten. Versuchen Sie es erneut.",
  "error.ADDRESS_REQUIRED":
    "Die Website ist für diese Art der Anmeldung noch nicht eingerichtet. Bitte informieren Sie die Betreiber.",
  "error.INTERNAL_ERROR": "Auf dem Server ist ein Fehler aufgetreten. Bitte versuchen Sie es gleich noch einmal.",
  "error.PASSKEY_DISABLED":
    "Die Anmeldung mit einem Passkey ist für diese Anmeldung nicht verfügbar. Scannen Sie stattdessen den QR-Code.",
  "error.PASSKEY_REQUIRED":
    "Diese Website verlangt vor dem Bestätigen Ihren Passkey, aber für dieses Konto gibt es auf diesem Telefon keinen. Fügen Sie Ihrem Konto zuerst einen Passkey hinzu.",
  "error.PASSKEY_INVALID":
    "Die Antwort Ihres Passkeys konnte nicht geprüft werden, daher wurde nichts bestätigt. Versuchen Sie es erneut.",
  "error.PASSKEY_CHALLENGE_MISMATCH":
    "Ihr Passkey hat für eine andere Anmeldung geantwortet, daher wurde nichts bestätigt. Beginnen Sie erneut am Bildschirm vor Ihnen.",
  "error.PASSKEY_USER_NOT_VERIFIED":
    "Ihr Passkey hat nicht geprüft, dass Sie es sind (Fingerabdruck, Gesicht oder PIN), daher wurde nichts bestätigt. Versuchen Sie es erneut und entsperren Sie ihn.",
  "error.PASSKEY_REPLAYED":
    "Diese Passkey-Antwort wurde bereits einmal verwendet und daher abgelehnt. Versuchen Sie es erneut, um eine neue zu erhalten.",
  "error.PASSKEY_UNKNOWN_CREDENTIAL":
    "Dieser Passkey gehört nicht zu dem Konto, für das diese Anmeldung gilt, daher wurde nichts bestätigt. Verwenden Sie Ihren eigenen Passkey.",
  "error.PASSKEY_SIGN_IN_REQUIRED":
    "Das anfragende Gerät ist in einem anderen Netzwerk, daher kann die Anmeldung nicht von hier aus bestätigt werden. Wählen Sie auf diesem Gerät „Mit einem Passkey anmelden“ und verwenden Sie den Passkey dieses Telefons – das funktioniert nur, wenn das Telefon in der Nähe ist.",
  "error.PASSKEY_CANCELLED":
    "Die Passkey-Prüfung wurde geschlossen oder ist abgelaufen, daher wurde nichts bestätigt. Versuchen Sie es erneut.",
  "error.CARD_CHANGED":
    "Was der Server Ihren Passkey bestätigen lassen wollte, passt nicht zu der hier angezeigten Anmeldung, daher wurde nichts gesendet. Scannen Sie den Code erneut.",
  "error.NETWORK_ERROR": "Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
  "error.QR_FOREIGN_ORIGIN":
    "Dieser QR-Code führt zu einer anderen Website und wurde daher nicht geöffnet. Scannen Sie nur Codes, die diese Website anzeigt.",
  "error.QR_NOT_A_SIGN_IN_CODE": "Dieser QR-Code ist kein Anmeldecode für diese Website.",
  "error.BAD_RESPONSE":
    "Der Server hat eine Antwort gegeben, die diese Seite nicht versteht. Laden Sie neu und versuchen Sie es erneut.",
};
