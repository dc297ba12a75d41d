import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import AttendanceTable from './AttendanceTable.vue';
import { useI18n } from '../i18n/index.js';

const rows = [
  {
    course_id: 'CSC1001',
    section: 'L01',
    class_date: '2026-11-23',
    present: 36,
    enrolled: 40,
    rate: 0.9,
  },
  {
    course_id: 'MAT2040',
    section: 'L02',
    class_date: '2026-11-23',
    present: 12,
    enrolled: 30,
    rate: 0.4,
  },
  {
    course_id: 'BIO1001',
    section: 'L01',
    class_date: '2026-11-23',
    present: 20,
    enrolled: 25,
    rate: 0.8,
  },
];

describe('AttendanceTable', () => {
  it('lists present / enrolled and rates, flags rates under the threshold, and sorts on click', async () => {
    useI18n().locale.value = 'en';
    const wrapper = mount(AttendanceTable, { props: { rows, threshold: 0.6 } });
    const courses = () => wrapper.findAll('tbody tr').map((tr) => tr.attributes('data-course'));
    expect(courses()).toEqual(['BIO1001', 'CSC1001', 'MAT2040']);
    const mat = wrapper.find('tr[data-course="MAT2040"]');
    expect(mat.find('[data-col="present"]').text()).toBe('12 / 30');
    expect(mat.find('[data-col="rate"]').text()).toBe('40.0 %');
    expect(mat.find('[data-col="rate"]').classes()).toContain('low');

    await wrapper.find('th[data-sort="rate"]').trigger('click');
    expect(courses()).toEqual(['CSC1001', 'BIO1001', 'MAT2040']);
    await wrapper.find('th[data-sort="rate"]').trigger('click');
    expect(courses()).toEqual(['MAT2040', 'BIO1001', 'CSC1001']);
  });

  it('switches its headings between English and Chinese', async () => {
    const i18n = useI18n();
    i18n.locale.value = 'en';
    const wrapper = mount(AttendanceTable, { props: { rows, threshold: 0.6 } });
    expect(wrapper.findAll('th').map((th) => th.text())).toEqual([
      'Course ▲',
      'Section',
      'Present / enrolled',
      'Rate',
    ]);
    i18n.toggle();
    await wrapper.vm.$nextTick();
    expect(wrapper.findAll('th').map((th) => th.text())).toEqual([
      '课程 ▲',
      '班级',
      '出勤 / 选课',
      '出勤率',
    ]);
  });
});
