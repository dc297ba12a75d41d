import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import AttendanceTable from './AttendanceTable.vue';
import { useI18n } from '../i18n/index.js';

const base = { class_date: '2026-11-23', late: 0, left_early: 0, other_devices: 0 };
const rows = [
  {
    ...base,
    course_id: 'CSC1001',
    section: 'L01',
    unit: 'students' as const,
    present: 36,
    enrolled: 40,
    rate: 0.9,
    late: 3,
    left_early: 2,
    other_devices: 5,
    over_capacity: false,
  },
  {
    ...base,
    course_id: 'MAT2040',
    section: 'L02',
    unit: 'students' as const,
    present: 12,
    enrolled: 30,
    rate: 0.4,
    over_capacity: false,
  },
  {
    ...base,
    course_id: 'BIO1001',
    section: 'L01',
    unit: 'devices' as const,
    present: 33,
    enrolled: 25,
    rate: 1.32,
    over_capacity: true,
  },
];

describe('AttendanceTable', () => {
  it('lists present / enrolled with what is counted, rates, late, early and other devices, and sorts on click', async () => {
    useI18n().locale.value = 'en';
    const wrapper = mount(AttendanceTable, { props: { rows, threshold: 0.6 } });
    const courses = () => wrapper.findAll('tbody tr').map((tr) => tr.attributes('data-course'));
    expect(courses()).toEqual(['BIO1001', 'CSC1001', 'MAT2040']);
    const cell = (course: string, col: string) =>
      wrapper.find(`tr[data-course="${course}"] [data-col="${col}"]`);
    expect(cell('MAT2040', 'present').text()).toBe('12 / 30');
    expect(cell('MAT2040', 'unit').text()).toBe('students');
    expect(cell('MAT2040', 'rate').text()).toBe('40.0 %');
    expect(cell('MAT2040', 'rate').classes()).toContain('low');
    expect(cell('CSC1001', 'late').text()).toBe('3');
    expect(cell('CSC1001', 'left-early').text()).toBe('2');
    expect(cell('CSC1001', 'other').text()).toBe('5');
    // Devices, more than enrolled: the rate as it is, flagged, not painted as low or clipped.
    expect(cell('BIO1001', 'present').text()).toBe('33 / 25');
    expect(cell('BIO1001', 'unit').text()).toBe('devices over capacity');
    expect(cell('BIO1001', 'rate').text()).toBe('132.0 %');
    expect(cell('BIO1001', 'rate').classes()).toEqual(expect.arrayContaining(['over']));
    expect(cell('BIO1001', 'rate').classes()).not.toContain('low');
    expect(cell('BIO1001', 'other').text()).toBe('–');

    await wrapper.find('th[data-sort="rate"]').trigger('click');
    expect(courses()).toEqual(['BIO1001', 'CSC1001', 'MAT2040']);
    await wrapper.find('th[data-sort="rate"]').trigger('click');
    expect(courses()).toEqual(['MAT2040', 'CSC1001', 'BIO1001']);
    await wrapper.find('th[data-sort="late"]').trigger('click');
    expect(courses()[0]).toBe('CSC1001');
  });

  it('switches its headings and units between English and Chinese', async () => {
    const i18n = useI18n();
    i18n.locale.value = 'en';
    const wrapper = mount(AttendanceTable, { props: { rows, threshold: 0.6 } });
    expect(wrapper.findAll('th').map((th) => th.text())).toEqual([
      'Course ▲',
      'Section',
      'Present / enrolled',
      'Counting',
      'Rate',
      'Late',
      'Left early',
      'Other devices',
    ]);
    i18n.toggle();
    await wrapper.vm.$nextTick();
    expect(wrapper.findAll('th').map((th) => th.text())).toEqual([
      '课程 ▲',
      '班级',
      '出勤 / 选课',
      '计数对象',
      '出勤率',
      '迟到',
      '早退',
      '其他设备',
    ]);
    expect(wrapper.find('tr[data-course="BIO1001"] [data-col="unit"]').text()).toBe(
      '设备 超过选课人数',
    );
    i18n.toggle();
  });
});
