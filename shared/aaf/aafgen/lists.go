package aafgen

import (
	"fmt"
	"strings"
)

// Every name below is a common French first name, surname, town or
// patron of a school. Combined at random, they make fictional people: any
// likeness to a real person is chance.

var lastNames = []string{
	"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
	"Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
	"Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Müller", "Lefebvre", "Faure", "André",
	"Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia",
	"Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson",
	"Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier",
	"Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud",
	"Martínez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron",
	"Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe",
	"Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte",
	"Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier", "Sánchez", "Dupuis", "Moulin",
	"Louis", "Deschamps", "Huet", "Vasseur", "Perez", "Boucher", "Fleury", "Royer", "Klein", "Jacquet",
	"Adam", "Paris", "Poirier", "Marty", "Aubry", "Guyot", "Carré", "Charles", "Renault", "Charpentier",
	"Ménard", "Maillard", "Baron", "Bertin", "Bailly", "Hervé", "Schneider", "Fernandez", "Le Gall", "Collet",
	"Léger", "Bouvier", "Julien", "Prévost", "Millet", "Perrot", "Daniel", "Le Roux", "Cousin", "Germain",
	"Breton", "Besson", "Langlois", "Rémy", "Le Goff", "Pelletier", "Lévêque", "Perrier", "Leblanc", "Barré",
	"Lebrun", "Marchal", "Weber", "Mallet", "Hamon", "Boulanger", "Jacob", "Monnier", "Michaud", "Rodríguez",
	"Guichard", "Gillet", "Étienne", "Grondin", "Poulain", "Tessier", "Chevallier", "Collin", "Chauvin", "Da Silva",
	"Bouchet", "Gay", "Lemaître", "Bénard", "Maréchal", "Humbert", "Reynaud", "Antoine", "Hoarau", "Perret",
	"Barthélemy", "Cordier", "Pichon", "Lejeune", "Gilbert", "Lamy", "Delaunay", "Pasquier", "Carlier", "Laporte",
	"L'Hôte", "D'Almeida", "Lefèbvre", "Béranger", "Crépin", "Hébert", "Thérond", "Dupré", "Ferré", "Gaudé",
}

var girlNames = []string{
	"Emma", "Jade", "Louise", "Alice", "Chloé", "Lina", "Léa", "Rose", "Anna", "Mila",
	"Inès", "Ambre", "Julia", "Mia", "Léna", "Manon", "Juliette", "Lou", "Zoé", "Camille",
	"Agathe", "Jeanne", "Lucie", "Éva", "Nina", "Sarah", "Romane", "Inaya", "Charlotte", "Léonie",
	"Romy", "Adèle", "Iris", "Louna", "Clémence", "Margaux", "Maëlys", "Océane", "Anaïs", "Héloïse",
	"Noémie", "Gaëlle", "Élodie", "Mélanie", "Céline", "Hélène", "Sophie", "Nathalie", "Isabelle", "Sandrine",
	"Valérie", "Stéphanie", "Aurélie", "Émilie", "Virginie", "Séverine", "Karine", "Laëtitia", "Bérénice", "Maïwenn",
}

var boyNames = []string{
	"Gabriel", "Léo", "Raphaël", "Arthur", "Louis", "Jules", "Adam", "Maël", "Lucas", "Hugo",
	"Noah", "Liam", "Gabin", "Sacha", "Paul", "Nathan", "Aaron", "Mohamed", "Ethan", "Tom",
	"Éden", "Léon", "Noé", "Tiago", "Théo", "Isaac", "Marius", "Victor", "Ayden", "Martin",
	"Naël", "Mathis", "Axel", "Robin", "Timéo", "Enzo", "Marceau", "Valentin", "Nino", "Eliott",
	"Loïc", "Jérôme", "François", "Frédéric", "Stéphane", "Sébastien", "Cédric", "Jérémy", "Grégory", "Benoît",
	"Hervé", "Rémi", "Joël", "Noël", "Aurélien", "Anthony", "Thierry", "Régis", "Gaëtan", "Clément",
}

var towns = []string{
	"Saint-Étienne-du-Rouvray", "Évreux", "Caen", "Alençon", "Saint-Lô", "Cherbourg-en-Cotentin", "Lisieux", "Bayeux",
	"Dieppe", "Fécamp", "Le Havre", "Rouen", "Vernon", "Louviers", "Pont-Audemer", "Argentan",
	"Flers", "L'Aigle", "Granville", "Coutances", "Avranches", "Honfleur", "Falaise", "Vire Normandie",
	"Yvetot", "Bolbec", "Elbeuf", "Gisors", "Les Andelys", "Mortagne-au-Perche",
}

var patrons = []string{
	"Jean-Jaurès", "Victor-Hugo", "Émile-Zola", "Jules-Ferry", "Marie-Curie", "Louise-Michel", "Jean-Moulin",
	"Simone-Veil", "Albert-Camus", "Pierre-Corneille", "Gustave-Flaubert", "Guy-de-Maupassant", "Jacques-Prévert",
	"Paul-Éluard", "George-Sand", "Colette", "Camille-Claudel", "Jean-de-La-Fontaine", "Molière", "Voltaire",
	"Condorcet", "Léopold-Sédar-Senghor", "Aimé-Césaire", "Olympe-de-Gouges", "Germaine-Tillion", "Lucie-Aubrac",
	"Antoine-de-Saint-Exupéry", "Jules-Verne", "Arthur-Rimbaud", "Paul-Verlaine", "Frédéric-Chopin", "Claude-Monet",
	"Eugène-Delacroix", "André-Malraux", "Françoise-Dolto", "Rosa-Parks", "Nelson-Mandela", "Marcel-Pagnol",
	"Honoré-de-Balzac", "Clément-Ader",
}

// kind is the type of a school, which decides its levels, classes and
// subjects.
type kind int

const (
	college kind = iota
	lycee
	lyceePro
)

// level is a year of study of a school kind.
type level struct {
	code  string // prefix of class codes: "6" makes 6A, 6B...
	label string // prefix of class labels
	mef   string // base MEF code
	age   int    // usual age of the pupils on 1 September
}

var levels = map[kind][]level{
	college: {
		{"6", "6EME", "10010012110", 11}, {"5", "5EME", "10110001110", 12},
		{"4", "4EME", "10210001110", 13}, {"3", "3EME", "10310019110", 14},
	},
	lycee: {
		{"2NDE", "2NDE GENERALE ET TECHNO", "20010018110", 15},
		{"1G", "1ERE GENERALE", "20111019110", 16},
		{"TG", "TERMINALE GENERALE", "20211019110", 17},
		{"1STMG", "1ERE STMG", "21131003110", 16},
		{"TSTMG", "TERMINALE STMG", "21231003110", 17},
	},
	lyceePro: {
		{"2BP", "2NDE PRO", "24700001110", 15}, {"1BP", "1ERE PRO", "24710001110", 16},
		{"TBP", "TERMINALE PRO", "24720001110", 17}, {"1CAP", "1ERE ANNEE CAP", "50000001110", 15},
		{"2CAP", "2EME ANNEE CAP", "50010001110", 16},
	},
}

var kindTypes = map[kind]string{
	college:  "COLLEGE",
	lycee:    "LYCEE D ENSEIGNEMENT GENERAL ET TECHNOLOGIQUE",
	lyceePro: "LYCEE PROFESSIONNEL",
}

var kindNames = map[kind]string{
	college:  "Collège",
	lycee:    "Lycée",
	lyceePro: "Lycée professionnel",
}

// subject is a row of the MatiereEducNat file.
type subject struct {
	code  string
	label string
}

// coreSubjects lists the subjects taught in every class of a school kind,
// as labels of subjectList.
var coreSubjects = map[kind][]string{
	college: {"FRANCAIS", "MATHEMATIQUES", "HISTOIRE-GEOGRAPHIE", "ANGLAIS LV1", "SCIENCES DE LA VIE ET DE LA TERRE",
		"PHYSIQUE-CHIMIE", "TECHNOLOGIE", "EDUCATION PHYSIQUE ET SPORTIVE", "ARTS PLASTIQUES", "EDUCATION MUSICALE",
		"ESPAGNOL LV2", "ALLEMAND LV2"},
	lycee: {"FRANCAIS", "MATHEMATIQUES", "HISTOIRE-GEOGRAPHIE", "ANGLAIS LV1", "SCIENCES ECONOMIQUES ET SOCIALES",
		"PHYSIQUE-CHIMIE", "SCIENCES DE LA VIE ET DE LA TERRE", "EDUCATION PHYSIQUE ET SPORTIVE", "PHILOSOPHIE",
		"ESPAGNOL LV2", "SCIENCES NUMERIQUES ET TECHNOLOGIE", "ENSEIGNEMENT SCIENTIFIQUE"},
	lyceePro: {"FRANCAIS", "MATHEMATIQUES", "HISTOIRE-GEOGRAPHIE", "ANGLAIS LV1", "PREVENTION SANTE ENVIRONNEMENT",
		"ECONOMIE-GESTION", "EDUCATION PHYSIQUE ET SPORTIVE", "ARTS APPLIQUES ET CULTURES ARTISTIQUES",
		"ENSEIGNEMENT PROFESSIONNEL"},
}

// groupTemplates lists the groups of a school kind: code prefix, label and
// subject label.
var groupTemplates = map[kind][][3]string{
	college: {{"LAT", "LATIN", "LATIN"}, {"GRE", "GREC ANCIEN", "GREC ANCIEN"}, {"ESP", "ESPAGNOL LV2", "ESPAGNOL LV2"},
		{"ALL", "ALLEMAND LV2", "ALLEMAND LV2"}, {"CHO", "CHORALE", "EDUCATION MUSICALE"}, {"EURO", "SECTION EUROPEENNE ANGLAIS", "ANGLAIS LV1"},
		{"SOU", "SOUTIEN MATHEMATIQUES", "MATHEMATIQUES"}, {"ITA", "ITALIEN LV2", "ITALIEN LV2"}},
	lycee: {{"SPEMA", "SPECIALITE MATHEMATIQUES", "MATHEMATIQUES"}, {"SPESES", "SPECIALITE SES", "SCIENCES ECONOMIQUES ET SOCIALES"},
		{"SPEHLP", "SPECIALITE HLP", "HUMANITES, LITTERATURE ET PHILOSOPHIE"}, {"SPENSI", "SPECIALITE NSI", "NUMERIQUE ET SCIENCES INFORMATIQUES"},
		{"SPEPC", "SPECIALITE PHYSIQUE-CHIMIE", "PHYSIQUE-CHIMIE"}, {"SPESVT", "SPECIALITE SVT", "SCIENCES DE LA VIE ET DE LA TERRE"},
		{"LV3", "ITALIEN LV3", "ITALIEN LV3"}, {"MCOMP", "MATHS COMPLEMENTAIRES", "MATHEMATIQUES"}},
	lyceePro: {{"COINT", "CO-INTERVENTION", "ENSEIGNEMENT PROFESSIONNEL"}, {"AP", "ACCOMPAGNEMENT PERSONNALISE", "FRANCAIS"},
		{"CHEF", "REALISATION D'UN CHEF-D'OEUVRE", "ENSEIGNEMENT PROFESSIONNEL"}, {"ESP", "ESPAGNOL LV2", "ESPAGNOL LV2"},
		{"ATEL", "ATELIER", "ENSEIGNEMENT PROFESSIONNEL"}, {"SOU", "SOUTIEN FRANCAIS", "FRANCAIS"},
		{"PSE", "PREVENTION SANTE ENVIRONNEMENT", "PREVENTION SANTE ENVIRONNEMENT"}, {"EPS", "ASSOCIATION SPORTIVE", "EDUCATION PHYSIQUE ET SPORTIVE"}},
}

var baseSubjects = []string{
	"FRANCAIS", "MATHEMATIQUES", "HISTOIRE-GEOGRAPHIE", "SCIENCES DE LA VIE ET DE LA TERRE", "PHYSIQUE-CHIMIE",
	"TECHNOLOGIE", "EDUCATION PHYSIQUE ET SPORTIVE", "ARTS PLASTIQUES", "EDUCATION MUSICALE", "LATIN", "GREC ANCIEN",
	"SCIENCES ECONOMIQUES ET SOCIALES", "PHILOSOPHIE", "SCIENCES NUMERIQUES ET TECHNOLOGIE", "ENSEIGNEMENT SCIENTIFIQUE",
	"HUMANITES, LITTERATURE ET PHILOSOPHIE", "NUMERIQUE ET SCIENCES INFORMATIQUES", "PREVENTION SANTE ENVIRONNEMENT",
	"ECONOMIE-GESTION", "ECONOMIE-DROIT", "ARTS APPLIQUES ET CULTURES ARTISTIQUES", "ENSEIGNEMENT PROFESSIONNEL",
	"ENSEIGNEMENT MORAL ET CIVIQUE", "ACCOMPAGNEMENT PERSONNALISE", "VIE DE CLASSE", "HEURE DE VIE DE CLASSE",
	"DOCUMENTATION", "CINEMA-AUDIOVISUEL", "THEATRE", "HISTOIRE DES ARTS", "MANAGEMENT", "SCIENCES DE GESTION ET NUMERIQUE",
	"DROIT ET ECONOMIE", "BIOTECHNOLOGIES", "SCIENCES ET TECHNIQUES SANITAIRES ET SOCIALES", "INGENIERIE ET DEVELOPPEMENT DURABLE",
}

var languages = []string{"ANGLAIS", "ALLEMAND", "ESPAGNOL", "ITALIEN", "PORTUGAIS", "ARABE", "CHINOIS", "RUSSE", "BRETON", "NEERLANDAIS"}

var specialities = []string{
	"COMMERCE", "VENTE", "ACCUEIL", "LOGISTIQUE", "GESTION ADMINISTRATIVE", "CUISINE", "COMMERCIALISATION ET SERVICES EN RESTAURATION",
	"BOULANGERIE", "ELECTRICITE", "MAINTENANCE DES VEHICULES", "MENUISERIE", "MACONNERIE", "PLOMBERIE", "CARROSSERIE",
	"MELEC", "TECHNICIEN D'USINAGE", "CHAUDRONNERIE", "ESTHETIQUE", "COIFFURE", "ACCOMPAGNEMENT SOINS ET SERVICES A LA PERSONNE",
	"AGRICULTURE", "HORTICULTURE", "SECURITE", "TRANSPORT", "AERONAUTIQUE", "SYSTEMES NUMERIQUES", "PHOTOGRAPHIE",
	"METIERS DE LA MODE", "ARTISANAT ET METIERS D'ART", "PROTHESE DENTAIRE",
}

// subjectList returns the subjects of the MatiereEducNat file: a few
// hundred, with 6-digit codes.
func subjectList() []subject {
	var labels []string
	labels = append(labels, baseSubjects...)
	for _, l := range languages {
		labels = append(labels, l+" LV1", l+" LV2", l+" LV3", "SECTION EUROPEENNE "+l, "LANGUE ET CULTURE "+l)
	}
	for _, s := range specialities {
		labels = append(labels, "ENSEIGNEMENT PROFESSIONNEL "+s, "PRATIQUE PROFESSIONNELLE "+s, "TECHNOLOGIE "+s, "ATELIER "+s)
	}
	for _, b := range baseSubjects[:20] {
		labels = append(labels, "SOUTIEN "+b)
	}
	out := make([]subject, len(labels))
	for i, l := range labels {
		out[i] = subject{code: fmt.Sprintf("%04d00", 100+i*3), label: l}
	}
	return out
}

// mefList returns the MEF codes of the MefEducNat file: every level's base
// code and its option variants, a few hundred in all.
func mefList() []subject {
	var out []subject
	seq := 0
	add := func(base, label string) {
		code := base
		if seq > 0 {
			// The 4 digits after the level's prefix number the variants
			// from 5000, which no base code of levels uses.
			code = fmt.Sprintf("%s%04d%s", base[:4], 5000+seq, base[8:])
		}
		out = append(out, subject{code: code, label: label})
		seq++
	}
	for _, k := range []kind{college, lycee, lyceePro} {
		for _, lv := range levels[k] {
			seq = 0
			add(lv.mef, lv.label)
			switch k {
			case lyceePro:
				for _, s := range specialities {
					add(lv.mef, lv.label+" "+s)
				}
			default:
				for _, l := range languages[1:] {
					add(lv.mef, lv.label+" BILANGUE ANGLAIS-"+l)
				}
				add(lv.mef, lv.label+" SECTION EUROPEENNE")
			}
		}
	}
	return out
}

// asciiFold maps the accented letters of the lists above to ASCII, for
// mail addresses.
var asciiFold = strings.NewReplacer(
	"à", "a", "â", "a", "ä", "a", "á", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"í", "i", "î", "i", "ï", "i", "ñ", "n", "ô", "o", "ö", "o", "ó", "o", "ù", "u", "û", "u", "ü", "u",
	"É", "e", "È", "e", "'", "", " ", "-",
)

// mailLocal returns the local part of a mail address for a person.
func mailLocal(first, last string) string {
	return asciiFold.Replace(strings.ToLower(first) + "." + strings.ToLower(last))
}
