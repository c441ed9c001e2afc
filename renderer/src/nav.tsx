import { createContext, useContext } from 'react';

export const screens = ['library', 'watermark', 'hidden', 'check', 'find', 'bundles'] as const;
export type Screen = (typeof screens)[number];

/** Parameters one screen hands another, e.g. Find → Bundles "start a complaint". */
export interface NavParams {
  imageIds?: number[];
  suspectPath?: string;
  originalId?: number;
  [key: string]: unknown;
}

export interface Nav {
  screen: Screen;
  params: NavParams;
  go(screen: Screen, params?: NavParams): void;
}

export const NavContext = createContext<Nav>({ screen: 'library', params: {}, go: () => {} });
export const useNav = () => useContext(NavContext);
