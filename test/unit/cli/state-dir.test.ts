import { folderStateDir, stateHome } from '../../../cli/lib/state-dir';

describe("the CLI's state directory", () => {
  it('is $XDG_STATE_HOME/hilum, else ~/.local/state/hilum (a relative XDG_STATE_HOME is ignored)', () => {
    expect(stateHome({ XDG_STATE_HOME: '/var/state', HOME: '/home/a' })).toBe('/var/state/hilum');
    expect(stateHome({ HOME: '/home/a' })).toBe('/home/a/.local/state/hilum');
    expect(stateHome({ XDG_STATE_HOME: 'relative', HOME: '/home/a' })).toBe('/home/a/.local/state/hilum');
  });

  it('keys each folder by its absolute path: two folders of the same name never share state', () => {
    const env = { XDG_STATE_HOME: '/s' };
    const a = folderStateDir('/data/site-a/export', env);
    const b = folderStateDir('/data/site-b/export', env);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^\/s\/hilum\/folders\/export-[0-9a-f]{16}$/);
    expect(folderStateDir('/data/site-a/export/', env)).toBe(a);
  });
});
