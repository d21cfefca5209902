import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CardFactory, type Attachment } from 'botbuilder';
import { Template } from 'adaptivecards-templating';
import type { Signposting } from '../safety/signposting';

/** The data each template in cards/ takes. Every string in it is shown literally, never evaluated. */
export interface CardData {
  welcome: { crisis: Signposting['crisis'] };
  menu: { heading: string; options: { title: string; words: string }[] };
  support: { crisis: Signposting['crisis'] };
}
export type CardName = keyof CardData;

const templates = new Map<CardName, Template>();

function cardsDirectory(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'cards'))) return path.join(dir, 'cards');
    if (path.dirname(dir) === dir) throw new Error('cards/ folder not found above ' + __dirname);
  }
}

function template(name: CardName): Template {
  let found = templates.get(name);
  if (!found) {
    found = new Template(JSON.parse(readFileSync(path.join(cardsDirectory(), `${name}.json`), 'utf8')));
    templates.set(name, found);
  }
  return found;
}

/** Renders a card template from cards/ with its data as a Teams attachment. */
export function renderCard<N extends CardName>(name: N, data: CardData[N]): Attachment {
  return CardFactory.adaptiveCard(template(name).expand({ $root: data }));
}
