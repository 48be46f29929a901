/**
 * The Audit and Viewer screens are written by other features; each is picked up when its
 * module exists (Vite's import.meta.glob matches nothing, not an error, when a file is missing),
 * so the shell builds before and after they land.
 */
import type { ComponentType } from 'react';

type Screen = ComponentType<{ active: boolean }>;

const audit = import.meta.glob<{ AuditScreen?: Screen }>('../features/audit/AuditScreen.tsx', { eager: true });
const viewer = import.meta.glob<{ ViewerScreen?: Screen }>('../features/viewer/ViewerScreen.tsx', { eager: true });

/** The Audit screen (renderer/src/features/audit/AuditScreen.tsx), when present. */
export const AuditScreen: Screen | undefined = Object.values(audit)[0]?.AuditScreen;
/** The Viewer screen (renderer/src/features/viewer/ViewerScreen.tsx), when present. */
export const ViewerScreen: Screen | undefined = Object.values(viewer)[0]?.ViewerScreen;
