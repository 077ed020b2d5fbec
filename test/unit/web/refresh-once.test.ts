import { sharedRefresh, withRefresh } from '../../../web/src/lib/refresh-once';

/** A server that answers 401 until the token is renewed, and a refresh that renews it (or cannot). */
function world(options: { refreshWorks: boolean }) {
  let token = 'expired';
  const sent: string[] = [];
  let refreshes = 0;
  const send = async () => {
    sent.push(token);
    return { status: token === 'expired' ? 401 : 200 };
  };
  const refresh = async () => {
    refreshes += 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (options.refreshWorks) token = 'renewed';
    return options.refreshWorks;
  };
  return { send, refresh, sent, refreshes: () => refreshes };
}

describe('an expired session is refreshed once, then the request sent again', () => {
  it('sends again with the renewed token after a 401 when the refresh works', async () => {
    const w = world({ refreshWorks: true });
    await expect(withRefresh(w.send, w.refresh)).resolves.toEqual({ status: 200 });
    expect(w.sent).toEqual(['expired', 'renewed']);
    expect(w.refreshes()).toBe(1);
  });

  it('keeps the 401 (so the portal goes to sign-in) when the refresh fails, without sending again', async () => {
    const w = world({ refreshWorks: false });
    await expect(withRefresh(w.send, w.refresh)).resolves.toEqual({ status: 401 });
    expect(w.sent).toEqual(['expired']);
  });

  it('never refreshes for other answers, and never loops when the resent request is refused again', async () => {
    const refresh = jest.fn(async () => true);
    await expect(withRefresh(async () => ({ status: 403 }), refresh)).resolves.toEqual({ status: 403 });
    expect(refresh).not.toHaveBeenCalled();
    const alwaysRefused = jest.fn(async () => ({ status: 401 }));
    await expect(withRefresh(alwaysRefused, refresh)).resolves.toEqual({ status: 401 });
    expect(alwaysRefused).toHaveBeenCalledTimes(2);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('shares one refresh among the requests that expire together, and tries anew afterwards', async () => {
    const w = world({ refreshWorks: true });
    const refresh = sharedRefresh(w.refresh);
    const answers = await Promise.all(Array.from({ length: 5 }, () => withRefresh(w.send, refresh)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(w.refreshes()).toBe(1);
    await refresh();
    expect(w.refreshes()).toBe(2);
  });

  it('answers false when the refresh itself throws (a network failure), so the 401 stands', async () => {
    const refresh = sharedRefresh(async () => {
      throw new Error('offline');
    });
    await expect(withRefresh(async () => ({ status: 401 }), refresh)).resolves.toEqual({ status: 401 });
  });
});
