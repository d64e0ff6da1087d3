// The analytics library: pure logic with no I/O (see docs/architecture.md): page keys, page views
// and the maths of funnels, paths and heatmaps.
export { pageKey, PAGE_KEY_DEFAULTS } from './page-key';
export { pageViewsOf, type PageView, type TabPages } from './page-views';
