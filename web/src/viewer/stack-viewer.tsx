import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { init as initCore, Enums, RenderingEngine, type Types } from '@cornerstonejs/core';
import {
  addTool,
  Enums as ToolEnums,
  init as initTools,
  PanTool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';
import { init as initLoader, wadors } from '@cornerstonejs/dicom-image-loader';
import { apiUrl } from '../api/client';
import { liveSession } from '../auth/session';
import { seriesPath, TAG, valueOf, type DicomJson } from '../study/dicomweb';
import { PRESETS, scrolledIndex, voiRangeOf, type WindowPreset } from './presets';

/**
 * The study page's image viewer: a Cornerstone3D stack viewport fed by hilum's WADO-RS (wadors
 * image ids over /frames, the metadata from WADO-RS metadata, the session's bearer token on
 * each request), with scroll (wheel, arrows), window/level (left drag), pan (middle drag),
 * zoom (right drag) and presets; every action also has a button or a key. This module and
 * Cornerstone load only when a study page opens a series (a dynamic import).
 */

const ENGINE_ID = 'hilum-viewer';
const VIEWPORT_ID = 'hilum-stack';
const GROUP_ID = 'hilum-stack-tools';

let ready: Promise<void> | undefined;

function initialise(): Promise<void> {
  ready ??= (async () => {
    // Headless browsers and some remote desktops have no WebGL: Cornerstone's CPU path draws the same image.
    const webgl = !!document.createElement('canvas').getContext('webgl2');
    if (webgl) initCore();
    else initCore({ rendering: { useCPURendering: true } } as Parameters<typeof initCore>[0]);
    initLoader({
      maxWebWorkers: 1,
      beforeSend: (): Record<string, string> => {
        const token = liveSession()?.idToken;
        return token ? { Authorization: `Bearer ${token}` } : {};
      },
    });
    initTools();
    for (const tool of [WindowLevelTool, PanTool, ZoomTool, StackScrollTool]) addTool(tool);
  })();
  return ready;
}

/** The frames of a series' instances, in instance order, as wadors image ids with their metadata registered. */
export function imageIdsOf(study: string, series: string, instances: readonly DicomJson[]): string[] {
  const base = apiUrl(seriesPath(study, series)).replace(/^\//, `${location.origin}/`);
  const sorted = [...instances].sort((a, b) => Number(valueOf(a, TAG.InstanceNumber) || 0) - Number(valueOf(b, TAG.InstanceNumber) || 0));
  const ids: string[] = [];
  for (const instance of sorted) {
    const sop = valueOf(instance, TAG.SOPInstanceUID);
    const frames = Math.max(1, Number(valueOf(instance, TAG.NumberOfFrames) || 1));
    for (let frame = 1; frame <= frames; frame++) {
      const id = `wadors:${base}/instances/${encodeURIComponent(sop)}/frames/${frame}`;
      wadors.metaDataManager.add(id, instance as never);
      ids.push(id);
    }
  }
  return ids;
}

export default function StackViewer({
  study,
  series,
  instances,
  label,
}: {
  study: string;
  series: string;
  instances: readonly DicomJson[];
  label: string;
}) {
  const element = useRef<HTMLDivElement>(null);
  const viewportRef = useRef<Types.IStackViewport | undefined>(undefined);
  const [index, setIndex] = useState(0);
  const [count, setCount] = useState(0);
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState('loading');

  useEffect(() => {
    let engine: RenderingEngine | undefined;
    let cancelled = false;
    (async () => {
      await initialise();
      if (cancelled || !element.current) return;
      const ids = imageIdsOf(study, series, instances);
      engine = new RenderingEngine(ENGINE_ID);
      engine.enableElement({ viewportId: VIEWPORT_ID, type: Enums.ViewportType.STACK, element: element.current });
      const viewport = engine.getViewport(VIEWPORT_ID) as Types.IStackViewport;
      viewportRef.current = viewport;
      const group = ToolGroupManager.getToolGroup(GROUP_ID) ?? ToolGroupManager.createToolGroup(GROUP_ID)!;
      for (const tool of [WindowLevelTool, PanTool, ZoomTool, StackScrollTool])
        if (!group.hasTool(tool.toolName)) group.addTool(tool.toolName);
      group.setToolActive(WindowLevelTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Primary }] });
      group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
      group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
      group.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Wheel }] });
      group.addViewport(VIEWPORT_ID, ENGINE_ID);
      setCount(ids.length);
      await viewport.setStack(ids, 0);
      viewport.render();
      element.current.addEventListener(Enums.Events.STACK_NEW_IMAGE, () => setIndex(viewport.getCurrentImageIdIndex()));
      if (!cancelled) setStatus('ready');
    })().catch((e: unknown) => {
      if (!cancelled) setError(e instanceof Error ? e.message : 'the images could not be loaded');
    });
    return () => {
      cancelled = true;
      ToolGroupManager.destroyToolGroup(GROUP_ID);
      engine?.destroy();
      viewportRef.current = undefined;
    };
  }, [study, series, instances]);

  const go = (delta: number) => {
    const viewport = viewportRef.current;
    if (!viewport) return;
    const next = scrolledIndex(viewport.getCurrentImageIdIndex(), delta, count);
    void viewport.setImageIdIndex(next).then(() => setIndex(next));
  };
  const applyPreset = (preset: WindowPreset) => {
    const viewport = viewportRef.current;
    if (!viewport) return;
    const range = voiRangeOf(preset);
    if (range) viewport.setProperties({ voiRange: range });
    else viewport.resetProperties();
    viewport.render();
  };
  const zoom = (factor: number) => {
    const viewport = viewportRef.current;
    if (!viewport) return;
    viewport.setZoom(viewport.getZoom() * factor);
    viewport.render();
  };
  const reset = () => {
    const viewport = viewportRef.current;
    if (!viewport) return;
    viewport.resetCamera();
    viewport.resetProperties();
    viewport.render();
  };
  const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, () => void> = {
      ArrowDown: () => go(1),
      ArrowRight: () => go(1),
      ArrowUp: () => go(-1),
      ArrowLeft: () => go(-1),
      '+': () => zoom(1.25),
      '-': () => zoom(0.8),
      r: reset,
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      move();
    }
  };

  return (
    <div className="viewer">
      <div className="viewer-toolbar" role="toolbar" aria-label="Viewer tools">
        <button type="button" onClick={() => go(-1)} disabled={index <= 0}>
          Previous image
        </button>
        <button type="button" onClick={() => go(1)} disabled={index >= count - 1}>
          Next image
        </button>
        {PRESETS.map((p) => (
          <button key={p.id} type="button" onClick={() => applyPreset(p)}>
            {p.label}
          </button>
        ))}
        <button type="button" onClick={() => zoom(1.25)}>
          Zoom in
        </button>
        <button type="button" onClick={() => zoom(0.8)}>
          Zoom out
        </button>
        <button type="button" onClick={reset}>
          Reset
        </button>
      </div>
      {error && (
        <div role="alert" className="banner banner-error">
          <p>The viewer could not show this series: {error}</p>
        </div>
      )}
      <div
        ref={element}
        className="viewer-canvas"
        data-testid="viewer"
        data-status={status}
        tabIndex={0}
        role="img"
        aria-label={`${label}: image ${count ? index + 1 : 0} of ${count}. Arrow keys scroll, + and - zoom, r resets; drag to change window and level.`}
        onKeyDown={onKey}
        onContextMenu={(e) => e.preventDefault()}
        style={{ width: '100%', height: '512px', background: '#000' }}
      />
      <p aria-live="polite">
        Image {count ? index + 1 : 0} of {count}
      </p>
    </div>
  );
}
