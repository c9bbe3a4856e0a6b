/** French name material for the generator: accents, hyphenated and apostrophe forms on purpose. */
export const MALE_FIRST_NAMES = [
  'Jean', 'Pierre', 'Louis', 'Lucas', 'Hugo', 'Gabriel', 'Arthur', 'Jules', 'Léo', 'Raphaël', 'Théo',
  'Nathan', 'Maël', 'Noé', 'Timothée', 'Loïc', 'Gaël', 'Jérôme', 'Frédéric', 'Stéphane', 'Sébastien',
  'Benoît', 'François', 'Hervé', 'Joël', 'Anaël', 'Nicolas', 'Thomas', 'Julien', 'Antoine', 'Mathieu',
  'Olivier', 'Philippe', 'Christophe', 'Laurent', 'Éric', 'Grégoire', 'Rémi', 'Cédric', 'Jérémy',
  'Jean-Baptiste', 'Jean-Pierre', 'Jean-François', 'Pierre-Louis', 'Marc-Antoine', 'Jean-Noël',
  'Karim', 'Mehdi', 'Youssef', 'Moussa', 'Mamadou', 'Ibrahima', 'Adrien', 'Baptiste', 'Clément',
  'Étienne', 'Félix', 'Honoré', 'Côme', 'Aurélien', 'Valentin', 'Quentin', 'Romain', 'Maxime',
];
export const FEMALE_FIRST_NAMES = [
  'Marie', 'Camille', 'Léa', 'Chloé', 'Inès', 'Jade', 'Louise', 'Zoé', 'Océane', 'Maëlle', 'Anaïs',
  'Héloïse', 'Noémie', 'Clémence', 'Hélène', 'Élodie', 'Émilie', 'Mélanie', 'Céline', 'Aurélie',
  'Gaëlle', 'Françoise', 'Isabelle', 'Nathalie', 'Sophie', 'Julie', 'Sandrine', 'Valérie', 'Agnès',
  'Laëtitia', 'Bérénice', 'Sylvie', 'Christine', 'Manon', 'Sarah', 'Lucie', 'Pauline', 'Margaux',
  'Marie-Claire', 'Anne-Sophie', 'Marie-Hélène', 'Anne-Laure', 'Marie-Ève', 'Lou-Anne', 'Rose-Marie',
  'Fatima', 'Aïcha', 'Aminata', 'Fatoumata', 'Yasmine', 'Leïla', 'Ophélie', 'Solène', 'Maïwenn',
  'Cécile', 'Édith', 'Gwenaëlle', 'Joséphine', 'Lætitia', 'Thérèse', 'Zoë', 'Nadège', 'Églantine',
];
export const LAST_NAMES = [
  'Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau',
  'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier',
  'Morel', 'Girard', 'André', 'Lefebvre', 'Mercier', 'Dupont', 'Lambert', 'Bonnet', 'François', 'Martinez',
  'Légaré', 'Bréhat', 'Béranger', 'Chévremont', 'Gauthier', 'Côté', 'Lévêque', 'Pâris', 'Noël', 'Benoît',
  'Boëdec', 'Citroën', 'Loïs', 'Hérault', 'Géraud', 'Mégret', 'Rémy', 'Thérond', 'Ménard', 'Guérin',
  'Le Goff', 'Le Gall', 'Le Bihan', 'Le Roux', 'Le Floch', 'De La Tour', 'Du Pont', 'Le Guen', 'Da Silva',
  "D'Almeida", "N'Diaye", "D'Arcy", "L'Hermite", "D'Aubigné", "O'Neill", "D'Souza", "N'Guessan",
  'Diallo', 'Traoré', 'Kaboré', 'Nguyen', 'Tran', 'Benali', 'Haddad', 'Cohen', 'Ferreira', 'Rodrigues',
  'Fontaine', 'Chevalier', 'Barbier', 'Rousseau', 'Blanchard', 'Lemaître', 'Faure', 'Brunet', 'Muller',
  'Schmitt', 'Meyer', 'Colin', 'Aubert', 'Perrin', 'Joly', 'Gaillard', 'Besançon', 'Garçon', 'Lacroix',
];
/** Second halves for double-barrelled names such as `Le Goff-Martin`. */
export const SECOND_LAST_NAMES = ['Martin', 'Dubois', 'Lefèvre', 'Leroy', 'Moreau', 'Bonnet', 'Faure', 'Mercier', 'Roux'];

export const JOB_TITLES = [
  'Chargé(e) de recrutement', 'Comptable', 'Développeur·se', 'Chef de projet', 'Commercial(e)',
  'Responsable marketing', 'Technicien(ne) support', 'Juriste', 'Acheteur·se', 'Ingénieur(e) qualité',
  'Opérateur·rice de production', 'Assistant(e) de direction', 'Contrôleur·se de gestion', 'Data analyst',
  'Responsable logistique', 'Gestionnaire de paie',
];

export const DEPARTMENT_NAMES = [
  'Ressources Humaines', 'Comptabilité', 'Recherche & Développement', 'Ventes', 'Marketing',
  'Support Client', 'Logistique', 'Juridique', 'Achats', 'Informatique', 'Qualité', 'Production',
  'Direction Générale', 'Contrôle de gestion', 'Communication', 'Sécurité',
];
export const REGIONS = [
  'Île-de-France', 'Auvergne-Rhône-Alpes', 'Nouvelle-Aquitaine', 'Occitanie', 'Hauts-de-France',
  'Grand Est', "Provence-Alpes-Côte d'Azur", 'Bretagne', 'Normandie', 'Pays de la Loire',
  'Bourgogne-Franche-Comté', 'Centre-Val de Loire', 'Corse',
];

export const COMPANIES = [
  { name: 'Acme Corp', domain: 'Acme-Corp.fr' },
  { name: 'Boulangeries Ménard', domain: 'Boulangeries-Menard.fr' },
  { name: 'Éditions Lévêque', domain: 'Editions-Leveque.com' },
  { name: 'Transports Côté & Fils', domain: 'Transports-Cote.fr' },
  { name: 'Société Générale des Crêpes', domain: 'SGCrepes.fr' },
];

const ACCENTS = /[\u0300-\u036f]/g;
/** Removes accents, keeps case: `Hélène` → `Helene`, `Lætitia` → `Laetitia`. */
export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(ACCENTS, '').replace(/æ/g, 'ae').replace(/Æ/g, 'AE').replace(/œ/g, 'oe').replace(/Œ/g, 'OE');
}

/** Email local-part piece: accents stripped, spaces and apostrophes dropped, hyphens kept, case kept. */
export function emailPart(text: string): string {
  return stripAccents(text).replace(/[\s'’]/g, '').replace(/[^A-Za-z0-9-]/g, '');
}
