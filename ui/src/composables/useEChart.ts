/**
 * Binds an ECharts instance to an element: created when the element mounts, resized with it,
 * updated whenever `option` changes, disposed with the component's scope.
 */
import { onMounted, onScopeDispose, shallowRef, watch, type Ref, type ShallowRef } from 'vue';
import { echarts, type EChartsCoreOption } from '../lib/echarts.js';

export interface UseEChartOptions {
  /** Merge new options into the old ones (keeps the zoom the viewer chose). Default true. */
  merge?: boolean;
  /** Kept at the element's width (rounded to 50 px), for options that depend on it. */
  width?: Ref<number>;
}

export interface UseEChartReturn {
  chart: ShallowRef<echarts.ECharts | null>;
}

export function useEChart(
  el: Ref<HTMLElement | null>,
  option: Ref<EChartsCoreOption>,
  { merge = true, width }: UseEChartOptions = {},
): UseEChartReturn {
  const chart = shallowRef<echarts.ECharts | null>(null);
  let observer: ResizeObserver | undefined;

  const measure = () => {
    if (width && el.value) width.value = Math.round(el.value.clientWidth / 50) * 50 || width.value;
  };

  onMounted(() => {
    if (!el.value) return;
    measure();
    chart.value = echarts.init(el.value);
    chart.value.setOption(option.value);
    if (typeof ResizeObserver !== 'undefined') {
      observer = new ResizeObserver(() => {
        measure();
        chart.value?.resize();
      });
      observer.observe(el.value);
    }
  });

  watch(option, (next) => chart.value?.setOption(next, { notMerge: !merge, lazyUpdate: true }));

  onScopeDispose(() => {
    observer?.disconnect();
    chart.value?.dispose();
    chart.value = null;
  });

  return { chart };
}
