import { ScrollArea, Tabs } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Person } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';
import { useNav } from '../../nav.tsx';
import { BundleList } from './BundleList.tsx';
import { ComplaintWizard } from './ComplaintWizard.tsx';
import { PeopleManager } from './PeopleManager.tsx';
import { RegistrationWizard } from './RegistrationWizard.tsx';

type Tab = 'list' | 'registration' | 'complaint' | 'people';

/**
 * Registration (CPCC) and complaint bundles: a wizard for each, the people they name, and the
 * bundles built so far. Library and Find open it with images or "start a complaint".
 */
export function BundlesScreen() {
  const { t } = useTranslation('bundles');
  const nav = useNav();
  const fromFind = nav.params.originalId !== undefined;
  const [tab, setTab] = useState<Tab>(fromFind ? 'complaint' : nav.params.imageIds?.length ? 'registration' : 'list');
  const [people, setPeople] = useState<Person[]>([]);
  const [built, setBuilt] = useState(0);
  const initialImages = useMemo(() => nav.params.imageIds ?? [], [nav.params.imageIds]);
  const initialComplaint = useMemo(() => ({ originalId: nav.params.originalId, suspectPath: nav.params.suspectPath }), [nav.params.originalId, nav.params.suspectPath]);
  const loadPeople = useCallback(async () => setPeople((await api.call('bundles.people.list', {})).people), []);
  useEffect(() => {
    void loadPeople();
  }, [loadPeople]);
  useEffect(() => {
    if (nav.params.originalId !== undefined) setTab('complaint');
    else if (nav.params.imageIds?.length) setTab('registration');
  }, [nav.params]);

  return (
    <Tabs value={tab} onChange={(v) => v && setTab(v as Tab)} keepMounted h="100%" display="flex" style={{ flexDirection: 'column' }} data-testid="bundles-screen">
      <Tabs.List>
        <Tabs.Tab value="list" data-testid="tab-list">{t('tabs.list')}</Tabs.Tab>
        <Tabs.Tab value="registration" data-testid="tab-registration">{t('tabs.registration')}</Tabs.Tab>
        <Tabs.Tab value="complaint" data-testid="tab-complaint">{t('tabs.complaint')}</Tabs.Tab>
        <Tabs.Tab value="people" data-testid="tab-people">{t('tabs.people')}</Tabs.Tab>
      </Tabs.List>
      <ScrollArea style={{ flex: 1 }} pt="sm" offsetScrollbars>
        <Tabs.Panel value="list"><BundleList refreshKey={built} /></Tabs.Panel>
        <Tabs.Panel value="registration">
          <RegistrationWizard people={people} reloadPeople={loadPeople} initialImages={initialImages} onBuilt={() => setBuilt((n) => n + 1)} />
        </Tabs.Panel>
        <Tabs.Panel value="complaint">
          <ComplaintWizard people={people} reloadPeople={loadPeople} initial={initialComplaint} onBuilt={() => setBuilt((n) => n + 1)} />
        </Tabs.Panel>
        <Tabs.Panel value="people"><PeopleManager people={people} onChange={() => void loadPeople()} /></Tabs.Panel>
      </ScrollArea>
    </Tabs>
  );
}
