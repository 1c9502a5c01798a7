package accountmail

import (
	htmltemplate "html/template"
	texttemplate "text/template"
)

// The templates of the two mails. The text parts wrap before 78
// characters, and the link is alone on its line so that mail readers
// make all of it clickable.
var (
	verifyText = texttemplate.Must(texttemplate.New("verify.txt").Parse(`Bonjour{{if .Name}} {{.Name}}{{end}},

Vous avez indiqué cette adresse électronique pour votre compte {{.Service}}
{{- if .Login}} (identifiant : {{.Login}}){{end}}.
Pour la confirmer, ouvrez ce lien dans les 48 heures :

{{.Link}}

Tant qu'elle n'est pas confirmée, {{.Service}} n'envoie aucun autre message
à cette adresse.

Si vous n'êtes pas à l'origine de cette demande, ignorez ce message :
l'adresse ne sera pas confirmée.

-- 
{{.Service}}, espace numérique de travail.
Message automatique, merci de ne pas y répondre.
`))

	verifyHTML = htmltemplate.Must(htmltemplate.New("verify.html").Parse(`<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>Confirmez votre adresse électronique</title></head>
<body style="font-family: Arial, sans-serif; color: #1e1e1e; line-height: 1.5;">
<p>Bonjour{{if .Name}} {{.Name}}{{end}},</p>
<p>Vous avez indiqué cette adresse électronique pour votre compte {{.Service}}{{if .Login}} (identifiant&nbsp;: <strong>{{.Login}}</strong>){{end}}.
Pour la confirmer, ouvrez ce lien dans les 48&nbsp;heures&nbsp;:</p>
<p><a href="{{.Link}}" style="display: inline-block; padding: 10px 16px; background: #000091; color: #ffffff; text-decoration: none;">Confirmer mon adresse</a></p>
<p style="font-size: 90%;">Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur&nbsp;:<br>{{.Link}}</p>
<p>Tant qu'elle n'est pas confirmée, {{.Service}} n'envoie aucun autre message à cette adresse.</p>
<p>Si vous n'êtes pas à l'origine de cette demande, ignorez ce message&nbsp;: l'adresse ne sera pas confirmée.</p>
<hr>
<p style="font-size: 85%; color: #555555;">{{.Service}}, espace numérique de travail. Message automatique, merci de ne pas y répondre.</p>
</body>
</html>
`))

	resetText = texttemplate.Must(texttemplate.New("reset.txt").Parse(`Bonjour{{if .Name}} {{.Name}}{{end}},

Un nouveau mot de passe a été demandé pour votre compte {{.Service}}
{{- if .Login}} (identifiant : {{.Login}}){{end}}.
Pour le choisir, ouvrez ce lien dans les 30 minutes :

{{.Link}}

Le lien ne sert qu'une fois. Le nouveau mot de passe ferme toutes les
sessions ouvertes avec l'ancien.

Si vous n'êtes pas à l'origine de cette demande, ignorez ce message :
votre mot de passe actuel reste valable.

-- 
{{.Service}}, espace numérique de travail.
Message automatique, merci de ne pas y répondre.
`))

	resetHTML = htmltemplate.Must(htmltemplate.New("reset.html").Parse(`<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>Nouveau mot de passe</title></head>
<body style="font-family: Arial, sans-serif; color: #1e1e1e; line-height: 1.5;">
<p>Bonjour{{if .Name}} {{.Name}}{{end}},</p>
<p>Un nouveau mot de passe a été demandé pour votre compte {{.Service}}{{if .Login}} (identifiant&nbsp;: <strong>{{.Login}}</strong>){{end}}.
Pour le choisir, ouvrez ce lien dans les 30&nbsp;minutes&nbsp;:</p>
<p><a href="{{.Link}}" style="display: inline-block; padding: 10px 16px; background: #000091; color: #ffffff; text-decoration: none;">Choisir un nouveau mot de passe</a></p>
<p style="font-size: 90%;">Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur&nbsp;:<br>{{.Link}}</p>
<p>Le lien ne sert qu'une fois. Le nouveau mot de passe ferme toutes les sessions ouvertes avec l'ancien.</p>
<p>Si vous n'êtes pas à l'origine de cette demande, ignorez ce message&nbsp;: votre mot de passe actuel reste valable.</p>
<hr>
<p style="font-size: 85%; color: #555555;">{{.Service}}, espace numérique de travail. Message automatique, merci de ne pas y répondre.</p>
</body>
</html>
`))
)
