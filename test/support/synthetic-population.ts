/**
 * A synthetic population for record linkage (bench/linkage.bench.ts, the linkage tests):
 * people with US-like name frequencies (a head of common names, a long tail of made-up
 * ones), birth dates over eighty years, ZIP codes, and same-sex twins; and a second
 * registry that holds some of the same people written with the errors registries make
 * (typos, nicknames, swapped names, married names, missing or changed ZIP codes, day and
 * month of birth swapped, other birth date errors) beside people of its own. Seeded: the same
 * seed gives the same people everywhere. No real person's data.
 */
import type { PersonIdentifiers } from '../../layers/clinical/linkage';
import { rng } from './random';

export interface SyntheticPerson extends Required<PersonIdentifiers> {
  /** The person, shared between registries: the truth the matching is scored against. */
  readonly personId: string;
}

export interface ErrorRates {
  readonly firstNameTypo: number;
  readonly nickname: number;
  readonly lastNameTypo: number;
  readonly swappedNames: number;
  /** Of women: a changed last name. */
  readonly marriedName: number;
  readonly missingZip: number;
  readonly movedZip: number;
  readonly dayMonthSwap: number;
  /** Any other wrong birth date (a digit off): no variant survives it. */
  readonly otherBirthDateError: number;
}

export const REALISTIC_ERRORS: ErrorRates = {
  firstNameTypo: 0.03,
  nickname: 0.03,
  lastNameTypo: 0.03,
  swappedNames: 0.01,
  marriedName: 0.05,
  missingZip: 0.05,
  movedZip: 0.05,
  dayMonthSwap: 0.01,
  otherBirthDateError: 0.005,
};

const FEMALE = [
  'Mary',
  'Patricia',
  'Jennifer',
  'Linda',
  'Elizabeth',
  'Barbara',
  'Susan',
  'Jessica',
  'Sarah',
  'Karen',
  'Lisa',
  'Nancy',
  'Betty',
  'Margaret',
  'Sandra',
  'Ashley',
  'Kimberly',
  'Emily',
  'Donna',
  'Michelle',
  'Carol',
  'Amanda',
  'Dorothy',
  'Melissa',
  'Deborah',
  'Stephanie',
  'Rebecca',
  'Sharon',
  'Laura',
  'Cynthia',
  'Kathleen',
  'Amy',
  'Angela',
  'Shirley',
  'Anna',
  'Brenda',
  'Pamela',
  'Emma',
  'Nicole',
  'Helen',
  'Samantha',
  'Katherine',
  'Christine',
  'Debra',
  'Rachel',
  'Carolyn',
  'Janet',
  'Catherine',
  'Maria',
  'Heather',
  'Diane',
  'Ruth',
  'Julie',
  'Olivia',
  'Joyce',
  'Virginia',
  'Victoria',
  'Kelly',
  'Lauren',
  'Christina',
  'Joan',
  'Evelyn',
  'Judith',
  'Megan',
  'Andrea',
  'Cheryl',
  'Hannah',
  'Jacqueline',
  'Martha',
  'Gloria',
  'Teresa',
  'Ann',
  'Sara',
  'Madison',
  'Frances',
  'Kathryn',
  'Janice',
  'Jean',
  'Abigail',
  'Alice',
  'Judy',
  'Sophia',
  'Grace',
  'Denise',
  'Amber',
  'Doris',
  'Marilyn',
  'Danielle',
  'Beverly',
  'Isabella',
  'Theresa',
  'Diana',
  'Natalie',
  'Brittany',
  'Charlotte',
  'Marie',
  'Kayla',
  'Alexis',
  'Lori',
  'José',
];
const MALE = [
  'James',
  'Robert',
  'John',
  'Michael',
  'David',
  'William',
  'Richard',
  'Joseph',
  'Thomas',
  'Christopher',
  'Charles',
  'Daniel',
  'Matthew',
  'Anthony',
  'Mark',
  'Donald',
  'Steven',
  'Andrew',
  'Paul',
  'Joshua',
  'Kenneth',
  'Kevin',
  'Brian',
  'George',
  'Timothy',
  'Ronald',
  'Jason',
  'Edward',
  'Jeffrey',
  'Ryan',
  'Jacob',
  'Gary',
  'Nicholas',
  'Eric',
  'Jonathan',
  'Stephen',
  'Larry',
  'Justin',
  'Scott',
  'Brandon',
  'Benjamin',
  'Samuel',
  'Gregory',
  'Alexander',
  'Patrick',
  'Frank',
  'Raymond',
  'Jack',
  'Dennis',
  'Jerry',
  'Tyler',
  'Aaron',
  'Jose',
  'Adam',
  'Nathan',
  'Henry',
  'Zachary',
  'Douglas',
  'Peter',
  'Kyle',
  'Noah',
  'Ethan',
  'Jeremy',
  'Walter',
  'Christian',
  'Keith',
  'Roger',
  'Terry',
  'Austin',
  'Sean',
  'Gerald',
  'Carl',
  'Harold',
  'Dylan',
  'Arthur',
  'Lawrence',
  'Jordan',
  'Jesse',
  'Bryan',
  'Billy',
  'Bruce',
  'Gabriel',
  'Joe',
  'Logan',
  'Alan',
  'Juan',
  'Albert',
  'Willie',
  'Elijah',
  'Wayne',
  'Randy',
  'Vincent',
  'Mason',
  'Roy',
  'Ralph',
  'Bobby',
  'Russell',
  'Bradley',
  'Philip',
  'Eugene',
];
const LAST = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Torres',
  'Nguyen',
  'Hill',
  'Flores',
  'Green',
  'Adams',
  'Nelson',
  'Baker',
  'Hall',
  'Rivera',
  'Campbell',
  'Mitchell',
  'Carter',
  'Roberts',
  'Gomez',
  'Phillips',
  'Evans',
  'Turner',
  'Diaz',
  'Parker',
  'Cruz',
  'Edwards',
  'Collins',
  'Reyes',
  'Stewart',
  'Morris',
  'Morales',
  'Murphy',
  'Cook',
  'Rogers',
  'Gutierrez',
  'Ortiz',
  'Morgan',
  'Cooper',
  'Peterson',
  'Bailey',
  'Reed',
  'Kelly',
  'Howard',
  'Ramos',
  'Kim',
  'Cox',
  'Ward',
  'Richardson',
  'Watson',
  'Brooks',
  'Chavez',
  'Wood',
  'James',
  'Bennett',
  'Gray',
  'Mendoza',
  'Ruiz',
  'Hughes',
  'Price',
  'Alvarez',
  'Castillo',
  'Sanders',
  'Patel',
  'Myers',
  'Long',
  'Ross',
  'Foster',
  'Jimenez',
  "O'Brien",
  'Müller',
  'de la Cruz',
];
const ONSETS = [
  'b',
  'br',
  'c',
  'ch',
  'd',
  'f',
  'g',
  'h',
  'j',
  'k',
  'kr',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  'sh',
  't',
  'v',
  'w',
  'z',
  'st',
  'gr',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ie', 'y'];
const CODAS = ['', 'n', 'r', 'l', 's', 'th', 'ck', 'm', 'nd', 'rt', 'ng', 'sk'];

/** Names rank r picked with weight 1/(r+1) (Zipf), or, with probability `tail`, a made-up one. */
function namePicker(random: () => number, head: readonly string[], tail: number, syllables: [number, number]) {
  const weights = head.map((_, r) => 1 / (r + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = weights.map(
    (
      (sum) => (w) =>
        (sum += w / total)
    )(0),
  );
  return (): string => {
    if (random() < tail) {
      const count = syllables[0] + Math.floor(random() * (syllables[1] - syllables[0] + 1));
      const word = Array.from({ length: count }, () => pick(random, ONSETS) + pick(random, VOWELS) + pick(random, CODAS)).join('');
      return word[0]!.toUpperCase() + word.slice(1);
    }
    const u = random();
    return head[
      Math.min(
        head.length - 1,
        cumulative.findIndex((c) => c >= u),
      )
    ]!;
  };
}

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export interface Population {
  readonly people: readonly SyntheticPerson[];
}

/** `size` people; about 1% are born twins (same sex, last name, birth date and ZIP, another first name). */
export function syntheticPopulation(size: number, seed = 19): SyntheticPerson[] {
  const random = rng(seed);
  const female = namePicker(random, FEMALE, 0.3, [2, 3]);
  const male = namePicker(random, MALE, 0.3, [2, 3]);
  const last = namePicker(random, LAST, 0.5, [2, 3]);
  const zip3s = Array.from({ length: 800 }, (_, i) => pad(10 + Math.floor((i * 989) / 800), 3));
  const people: SyntheticPerson[] = [];
  while (people.length < size) {
    const sex = random() < 0.5 ? 'F' : 'M';
    const year = 1930 + Math.floor(random() * 80);
    const birth = new Date(Date.UTC(year, 0, 1 + Math.floor(random() * 365)));
    const person = {
      personId: `P${people.length}`,
      firstName: sex === 'F' ? female() : male(),
      lastName: last(),
      birthDate: birth.toISOString().slice(0, 10),
      sex,
      zip: `${pick(random, zip3s)}${pad(Math.floor(random() * 100))}`,
    };
    people.push(person);
    if (random() < 0.01 && people.length < size) {
      let twin = sex === 'F' ? female() : male();
      while (twin === person.firstName) twin = sex === 'F' ? female() : male();
      people.push({ ...person, personId: `P${people.length}`, firstName: twin });
    }
  }
  return people;
}

/** One typo: a letter dropped, doubled, replaced or two neighbours swapped. */
function typo(random: () => number, name: string): string {
  if (name.length < 3) return `${name}${pick(random, ['e', 'a', 'h'])}`;
  const at = 1 + Math.floor(random() * (name.length - 2));
  switch (Math.floor(random() * 4)) {
    case 0:
      return name.slice(0, at) + name.slice(at + 1);
    case 1:
      return name.slice(0, at) + name[at] + name.slice(at);
    case 2:
      return name.slice(0, at) + pick(random, [...'aeioulnrst']) + name.slice(at + 1);
    default:
      return name.slice(0, at) + name[at + 1] + name[at] + name.slice(at + 2);
  }
}

const NICKNAMES: Readonly<Record<string, string>> = {
  Robert: 'Bob',
  William: 'Bill',
  Richard: 'Rick',
  James: 'Jim',
  Joseph: 'Joe',
  Thomas: 'Tom',
  Charles: 'Charlie',
  Michael: 'Mike',
  David: 'Dave',
  Daniel: 'Danny',
  Elizabeth: 'Liz',
  Margaret: 'Peggy',
  Katherine: 'Kate',
  Jennifer: 'Jenny',
  Patricia: 'Patty',
  Susan: 'Sue',
  Deborah: 'Debbie',
  Rebecca: 'Becky',
  Jessica: 'Jess',
  Samantha: 'Sam',
  Victoria: 'Vicky',
  Anthony: 'Tony',
  Christopher: 'Chris',
  Matthew: 'Matt',
  Steven: 'Steve',
};

/** How another registry wrote one person: each error independently at its rate, the formatting varied freely. */
export function recordedElsewhere(person: SyntheticPerson, random: () => number, rates: ErrorRates = REALISTIC_ERRORS): SyntheticPerson {
  let { firstName, lastName, birthDate, zip } = person;
  if (random() < rates.nickname && NICKNAMES[firstName]) firstName = NICKNAMES[firstName]!;
  else if (random() < rates.firstNameTypo) firstName = typo(random, firstName);
  if (person.sex === 'F' && random() < rates.marriedName) lastName = pick(random, LAST);
  else if (random() < rates.lastNameTypo) lastName = typo(random, lastName);
  if (random() < rates.swappedNames) [firstName, lastName] = [lastName, firstName];
  if (random() < rates.missingZip) zip = '';
  else if (random() < rates.movedZip) zip = `${pad(10 + Math.floor(random() * 989), 3)}${pad(Math.floor(random() * 100))}`;
  const [y, m, d] = birthDate.split('-');
  if (random() < rates.dayMonthSwap && Number(d) <= 12 && d !== m) birthDate = `${y}-${d}-${m}`;
  else if (random() < rates.otherBirthDateError) birthDate = `${y}-${m}-${pad(((Number(d) + 9) % 28) + 1)}`;
  // Formatting registries differ in and normalisation absorbs.
  if (random() < 0.2) lastName = lastName.toUpperCase();
  if (random() < 0.1) firstName = firstName.toLowerCase();
  return { ...person, firstName, lastName, birthDate, zip };
}

export interface TwoRegistries {
  /** The commons' registry: the population's first `size` people as recorded at the site. */
  readonly commons: readonly SyntheticPerson[];
  /** Another registry: `shared` of the commons' people recorded with errors, then people of its own. */
  readonly other: readonly SyntheticPerson[];
  readonly shared: number;
}

/** Two registries overlapping in part: the other one holds `overlap` of the commons' people and as many again of its own. */
export function twoRegistries(size: number, overlap = 0.5, seed = 19, rates: ErrorRates = REALISTIC_ERRORS): TwoRegistries {
  const shared = Math.round(size * overlap);
  const population = syntheticPopulation(size + shared, seed);
  const commons = population.slice(0, size);
  const random = rng(seed + 1);
  // A random part of the commons' people (a twin's sibling may or may not be among them).
  const shuffled = [...commons];
  for (let i = shuffled.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const chosen = shuffled.slice(0, shared);
  const other = [...chosen.map((p) => recordedElsewhere(p, random, rates)), ...population.slice(size)];
  return { commons, other, shared };
}
