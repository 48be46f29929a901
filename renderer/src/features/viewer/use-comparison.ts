/**
 * The state of the viewer's comparison bar (ViewerBar.tsx) that is not the prior itself: whether
 * scrolling and the window are linked (the link between the panes is use-link.ts) and the
 * memory kept for decoded images.
 */
import { useCallback, useState } from 'react';
import { cacheMegabytes, type Engine, rememberCacheMegabytes } from './engine-loader.js';
import { useLink } from './use-link.js';

export function useComparison(engine: Engine | undefined) {
  const [linkScroll, setLinkScroll] = useState(true);
  const [linkVoi, setLinkVoi] = useState(false);
  const [cacheMb, setCacheMb] = useState(cacheMegabytes);
  const link = useLink(linkScroll, linkVoi);

  const { align } = link;
  /** Linking again aligns the panes to the current one from where it is. */
  const changeLinkScroll = useCallback(
    (on: boolean) => {
      setLinkScroll(on);
      align();
    },
    [align],
  );
  const changeCacheMb = useCallback(
    (mb: number) => {
      setCacheMb(mb);
      rememberCacheMegabytes(mb);
      engine?.setCacheBytes(mb * 1e6);
    },
    [engine],
  );

  return { link, linkScroll, changeLinkScroll, linkVoi, setLinkVoi, cacheMb, changeCacheMb };
}
