package letters

// nbsp is the no-break space that French typography puts before ":" and
// "?", so that the sign never starts a line.
const nbsp = "\u00A0"

// wording is the fixed text of a letter in one language.
type wording struct {
	recipient    string // label before the person's name
	guardianOf   string // label before a guardian's children
	class        string // label before the class
	uai          string // label before the school's UAI
	title        string
	howTo        string // sentence before the numbered steps
	steps        []string
	guardianStep string // last step, for guardians only
	login        string // label in the box
	code         string // label in the box
	private      string
	lost         string

	purpose  func(role string, children int) string
	validity func(expires string) string
	footer   func(issued string) string
}

var french = wording{
	recipient:  "Destinataire" + nbsp + ":",
	guardianOf: "Responsable de" + nbsp + ":",
	class:      "Classe" + nbsp + ":",
	uai:        "UAI",
	title:      "Activation de votre compte ENT",
	howTo:      "Pour activer votre compte" + nbsp + ":",
	steps: []string{
		"Rendez-vous à l'adresse suivante" + nbsp + ":",
		"Saisissez votre identifiant et votre code d'activation, indiqués dans le cadre ci-dessous.",
		"Choisissez un mot de passe personnel d'au moins 10 caractères.",
		"Acceptez les conditions d'utilisation de l'ENT.",
	},
	guardianStep: "Si vous le souhaitez, indiquez une adresse électronique" + nbsp +
		": l'établissement vous y enverra ses notifications.",
	login:   "Identifiant",
	code:    "Code d'activation",
	private: "Cette lettre est personnelle. Ne la communiquez à personne, car ce code permet d'activer votre compte.",
	lost:    "Code perdu ou expiré" + nbsp + "? Demandez à l'établissement d'imprimer une nouvelle lettre.",
	purpose: func(role string, children int) string {
		const intro = "L'espace numérique de travail (ENT) de l'établissement s'utilise sur ordinateur et sur téléphone. "
		switch role {
		case RolePupil:
			return intro + "Il vous donne accès au cahier de textes et au travail à faire, à vos notes, " +
				"aux documents de la classe et à la messagerie avec vos enseignants."
		case RoleGuardian:
			child := "votre enfant"
			if children > 1 {
				child = "vos enfants"
			}
			return intro + "Il vous permet de suivre la scolarité de " + child + nbsp + ": cahier de textes et " +
				"travail à faire, notes, absences, documents, et d'échanger avec l'établissement."
		case RoleTeacher:
			return intro + "Il vous permet de tenir le cahier de textes, de saisir les notes et d'échanger " +
				"avec les élèves, les familles et l'équipe de l'établissement."
		}
		return intro + "Il vous donne accès aux services de l'établissement et à la messagerie " +
			"avec les élèves, les familles et les enseignants."
	},
	validity: func(expires string) string {
		return "Ce code ne sert qu'une seule fois et fonctionne jusqu'au " + expires + " inclus."
	},
	footer: func(issued string) string {
		return "Document personnel – lettre éditée le " + issued
	},
}

var english = wording{
	recipient:  "Recipient:",
	guardianOf: "Guardian of:",
	class:      "Class:",
	uai:        "UAI",
	title:      "Activating your ENT account",
	howTo:      "To activate your account:",
	steps: []string{
		"Go to this address:",
		"Enter your login and your activation code, shown in the box below.",
		"Choose a personal password of at least 10 characters.",
		"Accept the ENT's terms of use.",
	},
	guardianStep: "If you wish, give an email address: the school will send its notifications there.",
	login:        "Login",
	code:         "Activation code",
	private:      "This letter is personal. Do not share it, because this code lets anyone activate your account.",
	lost:         "Lost or expired code? Ask the school to print a new letter.",
	purpose: func(role string, children int) string {
		const intro = "The school's ENT (digital workspace) works on a computer and on a phone. "
		switch role {
		case RolePupil:
			return intro + "It gives you the class log and your homework, your marks, " +
				"your class's documents and messages with your teachers."
		case RoleGuardian:
			child := "your child's"
			if children > 1 {
				child = "your children's"
			}
			return intro + "It lets you follow " + child + " schooling: class log and homework, " +
				"marks, absences, documents, and exchange messages with the school."
		case RoleTeacher:
			return intro + "It lets you keep the class log, enter marks and exchange messages " +
				"with pupils, families and the school's staff."
		}
		return intro + "It gives you the school's services and messages with pupils, families and teachers."
	},
	validity: func(expires string) string {
		return "This code works only once, until the end of " + expires + "."
	},
	footer: func(issued string) string {
		return "Personal document – letter issued on " + issued
	},
}

// wordingFor returns the fixed text for lang, which checkLang has checked.
func wordingFor(lang string) *wording {
	if lang == LangEnglish {
		return &english
	}
	return &french
}
