import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import ConnectionBadge from './ConnectionBadge.vue';
import { useStreamStore } from '../stores/stream.js';
import { useI18n } from '../i18n/index.js';

afterEach(() => vi.useRealTimers());

describe('ConnectionBadge', () => {
  it('says live, reconnecting, or stale since the local time the feed was lost', async () => {
    setActivePinia(createPinia());
    useI18n().locale.value = 'en';
    const stream = useStreamStore();
    const wrapper = mount(ConnectionBadge);
    stream.status = 'live';
    await wrapper.vm.$nextTick();
    expect(wrapper.text()).toBe('Live');
    // The socket is up but the relay says its Kafka consumer is not reading: not live.
    stream.feedDown = true;
    await wrapper.vm.$nextTick();
    expect(wrapper.text()).toBe('Connected, but the live feed is interrupted');
    expect(wrapper.get('[data-testid="connection"]').attributes('data-status')).toBe('degraded');
    stream.feedDown = false;
    stream.status = 'reconnecting';
    await wrapper.vm.$nextTick();
    expect(wrapper.text()).toBe('Reconnecting…');
    const lost = new Date(2026, 10, 23, 14, 5, 9).getTime();
    stream.lostAt = lost;
    stream.status = 'stale';
    await wrapper.vm.$nextTick();
    expect(wrapper.text()).toBe('Stale since 14:05:09');
  });
});
